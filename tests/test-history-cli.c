/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "fb-clock.h"
#include "fb-feed.h"
#include "fb-format.h"
#include "fb-history.h"
#include "fb-message.h"
#include "fb-test-utils.h"

/*
 * `feedbell --history`: the built program, run as a child with XDG
 * directories of its own, no display and no session bus (so it cannot be
 * talking to a running instance), against a database written through
 * FbHistory. Its settings are a keyfile written here, which the child reads
 * with the keyfile backend.
 */

#define CHILD_DEADLINE_MS 60000

#define FEED_BUILDS  "fbuilds01"
#define FEED_HOME    "fhome0002"
#define FEED_NONAME  "falerts03"
#define NONAME_URL   "https://ntfy.example.com/alerts/sse"

typedef struct
{
  char    *dir;
  char    *data_home;
  char    *db_dir;
  char    *db_path;
  char   **environ;
  FbClock *clock;
} Fixture;

static const char settings_keyfile[] =
  "[io/github/feedbell/Feedbell]\n"
  "feeds=['" FEED_BUILDS "', '" FEED_HOME "', '" FEED_NONAME "']\n"
  "\n"
  "[io/github/feedbell/Feedbell/feeds/" FEED_BUILDS "]\n"
  "name='Builds'\n"
  "url='https://ci.example.com/events'\n"
  "\n"
  "[io/github/feedbell/Feedbell/feeds/" FEED_HOME "]\n"
  "name='Home'\n"
  "url='https://home.example.com/api/stream'\n"
  "\n"
  "[io/github/feedbell/Feedbell/feeds/" FEED_NONAME "]\n"
  "url='" NONAME_URL "'\n"
  "format='ntfy'\n";

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *config_dir = NULL;
  g_autofree char *keyfile = NULL;
  const char *feedbell = g_getenv ("FEEDBELL");
  const char *schemas = g_getenv ("FEEDBELL_SCHEMA_DIR");

  g_assert_nonnull (feedbell);
  g_assert_nonnull (schemas);

  f->dir = g_dir_make_tmp ("fb-history-cli-XXXXXX", NULL);
  f->data_home = g_build_filename (f->dir, "data", NULL);
  f->db_dir = g_build_filename (f->data_home, "feedbell", NULL);
  f->db_path = g_build_filename (f->db_dir, "history.db", NULL);
  config_dir = g_build_filename (f->dir, "config", "glib-2.0", "settings", NULL);
  keyfile = g_build_filename (config_dir, "keyfile", NULL);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->data_home, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keyfile, settings_keyfile, -1, NULL));

  /* The keyfile backend reads XDG_CONFIG_HOME/glib-2.0/settings/keyfile. */
  g_clear_pointer (&config_dir, g_free);
  config_dir = g_build_filename (f->dir, "config", NULL);
  f->environ = g_get_environ ();
  f->environ = g_environ_setenv (f->environ, "XDG_DATA_HOME", f->data_home, TRUE);
  f->environ = g_environ_setenv (f->environ, "XDG_CONFIG_HOME", config_dir, TRUE);
  f->environ = g_environ_setenv (f->environ, "XDG_STATE_HOME", f->dir, TRUE);
  f->environ = g_environ_setenv (f->environ, "XDG_CACHE_HOME", f->dir, TRUE);
  f->environ = g_environ_setenv (f->environ, "GSETTINGS_BACKEND", "keyfile", TRUE);
  f->environ = g_environ_setenv (f->environ, "GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  f->environ = g_environ_setenv (f->environ, "TZ", "UTC", TRUE);
  f->environ = g_environ_setenv (f->environ, "LC_ALL", "C.UTF-8", TRUE);
  f->environ = g_environ_setenv (f->environ, "G_DEBUG", "fatal-criticals", TRUE);
  f->environ = g_environ_unsetenv (f->environ, "LANGUAGE");
  /* No display and no bus: whatever works here does not need the app. */
  f->environ = g_environ_unsetenv (f->environ, "DISPLAY");
  f->environ = g_environ_unsetenv (f->environ, "WAYLAND_DISPLAY");
  f->environ = g_environ_setenv (f->environ, "DBUS_SESSION_BUS_ADDRESS",
                                 "unix:path=/nonexistent/feedbell-test-bus", TRUE);

  f->clock = fb_clock_new_manual (0, g_get_real_time ());
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->clock);
  fb_test_delete_tree (f->dir);
  g_free (f->dir);
  g_free (f->data_home);
  g_free (f->db_dir);
  g_free (f->db_path);
  g_strfreev (f->environ);
}

static GSubprocess *
spawn_history (Fixture             *f,
               const char * const  *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) g_getenv ("FEEDBELL"));
  g_ptr_array_add (argv, "--history");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_environ (launcher, f->environ);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

/* The exit status of a child that ended (a crash fails the test). */
static int
finish_history (GSubprocess *process,
                const char  *out,
                const char  *err)
{
  g_test_message ("stdout: %s", out);
  g_test_message ("stderr: %s", err);
  g_assert_true (g_subprocess_get_if_exited (process));

  return g_subprocess_get_exit_status (process);
}

/* Runs `feedbell --history ARGS…` to the end; returns its exit status. */
static int
run_history (Fixture             *f,
             const char * const  *args,
             char               **out,
             char               **err)
{
  g_autoptr(GSubprocess) process = spawn_history (f, args);
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  int status;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  status = finish_history (process, stdout_text, stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return status;
}

#define ARGS(...) ((const char * const []) { __VA_ARGS__, NULL })

/* Each line of @out as a JSON object. */
static GPtrArray *
parse_lines (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (lines[i][0] == '\0')
        {
          /* Only the text's end may be empty. */
          g_assert_null (lines[i + 1]);
          continue;
        }
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_ptr_array_add (objects, json_node_ref (json_parser_get_root (parser)));
    }

  return objects;
}

static JsonObject *
line_object (GPtrArray *lines,
             guint      index)
{
  g_assert_cmpuint (index, <, lines->len);
  return json_node_get_object (g_ptr_array_index (lines, index));
}

/* `--history --json ARGS…`, which must succeed; its objects. */
static GPtrArray *
query_json (Fixture             *f,
            const char * const  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;

  g_ptr_array_add (argv, "--json");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (run_history (f, (const char * const *) argv->pdata, &out, NULL), ==, 0);

  return parse_lines (out);
}

static FbMessage *
ntfy_message (const char *feed_name,
              const char *json)
{
  return fb_message_new_from_event (feed_name, FB_MESSAGE_FORMAT_NTFY, "message", json, strlen (json), "");
}

static gint64
append_at (FbHistory  *history,
           FbClock    *clock,
           gint64      real_us,
           const char *feed_id,
           const char *feed_name,
           const char *title,
           const char *body)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(FbMessage) message = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, body);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  message = ntfy_message (feed_name, json);

  fb_clock_set_real (clock, real_us);
  return fb_history_append (history, feed_id, message);
}

static FbHistory *
open_history (Fixture *f)
{
  g_assert_cmpint (g_mkdir_with_parents (f->db_dir, 0700), ==, 0);
  return fb_history_open (f->db_path, f->clock);
}

static void
sync_history (FbHistory *history)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fb_history_sync (history, &error));
  g_assert_no_error (error);
}

static gint64
utc_us (int year,
        int month,
        int day,
        int hour,
        int minute)
{
  g_autoptr(GDateTime) time = g_date_time_new_utc (year, month, day, hour, minute, 0);

  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

/* ---------------------------------------------------------------------- */

static const char full_message[] =
  "{\"id\":\"sPs7LXeZ0PZ6\",\"event\":\"message\",\"topic\":\"backups\","
  "\"title\":\"Backup failed on nas-01\",\"message\":\"rsync exited with status 23.\\nSee the log.\","
  "\"priority\":4,\"tags\":[\"backup\",\"nas-01\"],"
  "\"click\":\"https://backup.example.com/jobs/4711\","
  "\"icon\":\"https://backup.example.com/static/icon.png\","
  "\"actions\":[{\"action\":\"view\",\"label\":\"Open portal\",\"url\":\"https://backup.example.com/\"},"
  "{\"action\":\"view\",\"label\":\"Logs\",\"url\":\"https://backup.example.com/logs\"}]}";

static void
assert_string_array (JsonObject          *object,
                     const char          *member,
                     const char * const  *expected)
{
  JsonArray *array = json_object_get_array_member (object, member);
  guint n = 0;

  for (; expected[n] != NULL; n++)
    g_assert_cmpstr (json_array_get_string_element (array, n), ==, expected[n]);
  g_assert_cmpuint (json_array_get_length (array), ==, n);
}

static void
test_json_fields (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  g_autoptr(FbMessage) full = ntfy_message ("Home", full_message);
  g_autoptr(FbMessage) note = ntfy_message ("Builds", "{\"title\":\"Builds is unreachable\",\"message\":\"Since 09:50\"}");
  g_autoptr(GPtrArray) lines = NULL;
  gint64 full_id, note_id, read_id;
  JsonObject *o;
  JsonArray *actions;

  fb_clock_set_real (f->clock, utc_us (2026, 12, 2, 14, 3));
  full_id = fb_history_append (history, FEED_HOME, full);
  fb_clock_set_real (f->clock, utc_us (2026, 12, 2, 14, 5));
  note_id = fb_history_append_note (history, FEED_BUILDS, note);
  read_id = append_at (history, f->clock, utc_us (2026, 12, 2, 14, 7), FEED_BUILDS, "Builds",
                       "Build #8 passed", "All 214 tests green on main.");
  fb_history_mark_entry_read (history, read_id);
  sync_history (history);

  lines = query_json (f, NULL);
  g_assert_cmpuint (lines->len, ==, 3);

  /* Newest first. */
  o = line_object (lines, 0);
  g_assert_cmpint (json_object_get_int_member (o, "id"), ==, read_id);
  g_assert_true (json_object_get_boolean_member (o, "read"));
  g_assert_false (json_object_get_boolean_member (o, "note"));
  g_assert_cmpstr (json_object_get_string_member (o, "time"), ==, "2026-12-02T14:07:00Z");
  g_assert_true (json_object_get_null_member (o, "link"));
  g_assert_true (json_object_get_null_member (o, "icon"));

  o = line_object (lines, 1);
  g_assert_cmpint (json_object_get_int_member (o, "id"), ==, note_id);
  g_assert_true (json_object_get_boolean_member (o, "note"));
  g_assert_cmpstr (json_object_get_string_member (o, "title"), ==, "Builds is unreachable");
  g_assert_cmpstr (json_object_get_string_member (o, "feed"), ==, "Builds");

  o = line_object (lines, 2);
  g_assert_cmpint (json_object_get_int_member (o, "id"), ==, full_id);
  g_assert_cmpstr (json_object_get_string_member (o, "feed_id"), ==, FEED_HOME);
  g_assert_cmpstr (json_object_get_string_member (o, "feed"), ==, "Home");
  g_assert_cmpstr (json_object_get_string_member (o, "time"), ==, "2026-12-02T14:03:00Z");
  g_assert_cmpstr (json_object_get_string_member (o, "title"), ==, "Backup failed on nas-01");
  /* The body as the message has it (the ntfy reader adds the tags that
   * have no emoji). */
  g_assert_true (g_str_has_prefix (fb_message_get_body (full), "rsync exited with status 23.\nSee the log."));
  g_assert_cmpstr (json_object_get_string_member (o, "body"), ==, fb_message_get_body (full));
  g_assert_cmpstr (json_object_get_string_member (o, "link"), ==, "https://backup.example.com/jobs/4711");
  g_assert_cmpstr (json_object_get_string_member (o, "icon"), ==, "https://backup.example.com/static/icon.png");
  g_assert_cmpint (json_object_get_int_member (o, "priority"), ==, 4);
  assert_string_array (o, "tags", (const char * const []) { "backup", "nas-01", NULL });
  actions = json_object_get_array_member (o, "actions");
  g_assert_cmpuint (json_array_get_length (actions), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (actions, 0), "label"), ==, "Open portal");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (actions, 0), "url"), ==, "https://backup.example.com/");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (actions, 1), "label"), ==, "Logs");
  g_assert_false (json_object_get_boolean_member (o, "read"));
  g_assert_false (json_object_get_boolean_member (o, "note"));
}

/* The lines for a person: time, feed, title — body; '*' for unread,
 * "[note]" for notes; nothing a terminal would take as a command. */
static void
test_text_lines (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  g_autoptr(FbMessage) note = ntfy_message ("Builds", "{\"title\":\"Builds is back\"}");
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 read_id;

  append_at (history, f->clock, utc_us (2026, 12, 2, 14, 3), FEED_HOME, "Home",
             "Door \033[2J\033]0;owned\007bell", "Someone is\nat the \302\233front \342\200\256door.");
  read_id = append_at (history, f->clock, utc_us (2026, 12, 2, 14, 4), FEED_BUILDS, "Builds",
                       "Build #8 passed", "");
  fb_history_mark_entry_read (history, read_id);
  fb_clock_set_real (f->clock, utc_us (2026, 12, 2, 14, 5));
  fb_history_append_note (history, FEED_BUILDS, note);
  sync_history (history);

  g_assert_cmpint (run_history (f, NULL, &out, NULL), ==, 0);
  g_assert_null (strchr (out, '\033'));
  g_assert_null (strchr (out, '\007'));
  g_assert_null (strstr (out, "\302\233"));
  g_assert_null (strstr (out, "\342\200\256"));
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[3], ==, "");
  /* Notes are stored read: they are Feedbell's own word, not news. */
  g_assert_cmpstr (lines[0], ==, "  2026-12-02 14:05  Builds  [note] Builds is back");
  g_assert_cmpstr (lines[1], ==, "  2026-12-02 14:04  Builds  Build #8 passed");
  g_assert_true (g_str_has_prefix (lines[2], "* 2026-12-02 14:03  Home    Door "));
  g_assert_nonnull (strstr (lines[2], "bell — Someone is at the front door."));
}

/* JSON keeps the text whole, escaped: nothing raw reaches the terminal. */
static void
test_json_escaping (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *out = NULL;
  static const char title[] = "Door \033[2J\033]0;owned\007bell \"quoted\" back\\slash \342\200\250";
  static const char body[] = "Someone is\nat the \302\233front \342\200\256door\t\177.";

  append_at (history, f->clock, utc_us (2026, 12, 2, 14, 3), FEED_HOME, "Home", title, body);
  sync_history (history);

  g_assert_cmpint (run_history (f, ARGS ("--json"), &out, NULL), ==, 0);
  for (const char *p = out; *p != '\0'; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  g_assert_null (strchr (out, '\177'));
  g_assert_null (strstr (out, "\302\233"));
  g_assert_null (strstr (out, "\342\200\250"));
  g_assert_null (strstr (out, "\342\200\256"));
  lines = parse_lines (out);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (line_object (lines, 0), "title"), ==, title);
  g_assert_cmpstr (json_object_get_string_member (line_object (lines, 0), "body"), ==, body);
}

/* ---------------------------------------------------------------------- */

static void
fill_search_corpus (Fixture   *f,
                    FbHistory *history)
{
  gint64 t = utc_us (2026, 1, 1, 0, 0);

  append_at (history, f->clock, t += 60000000, FEED_BUILDS, "Builds", "Backup failed on nas-01", "rsync exited with status 23");
  append_at (history, f->clock, t += 60000000, FEED_BUILDS, "Builds", "Build #8 passed", "All tests green");
  append_at (history, f->clock, t += 60000000, FEED_HOME, "Home", "Door bell", "Someone is at the door");
  append_at (history, f->clock, t += 60000000, FEED_HOME, "Home", "Washing machine", "The backup cycle is done");
  append_at (history, f->clock, t += 60000000, FEED_NONAME, "ntfy · alerts", "Disk low", "91% full");
  sync_history (history);
}

static char **
titles_of (GPtrArray *lines)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **titles;

  for (guint i = 0; i < lines->len; i++)
    g_strv_builder_add (builder, json_object_get_string_member (line_object (lines, i), "title"));
  titles = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return titles;
}

static void
assert_titles (Fixture             *f,
               const char * const  *args,
               const char * const  *expected)
{
  g_autoptr(GPtrArray) lines = query_json (f, args);
  g_auto(GStrv) titles = titles_of (lines);

  g_assert_cmpstrv (titles, expected);
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);

  fill_search_corpus (f, history);
  /* Title and body, newest first; a prefix matches; case does not matter. */
  assert_titles (f, ARGS ("--search", "backup"),
                 ARGS ("Washing machine", "Backup failed on nas-01"));
  assert_titles (f, ARGS ("--search", "Back"),
                 ARGS ("Washing machine", "Backup failed on nas-01"));
  assert_titles (f, ARGS ("--search", "door bell"), ARGS ("Door bell"));
  assert_titles (f, ARGS ("--search", "backup", "--feed", "Home"), ARGS ("Washing machine"));
  assert_titles (f, ARGS ("--search", "xylophone"), (const char * const []) { NULL });
}

static void
test_feed (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  g_autofree char *default_name = fb_format_default_feed_name (FB_MESSAGE_FORMAT_NTFY, NONAME_URL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  fill_search_corpus (f, history);
  assert_titles (f, ARGS ("--feed", "Builds"), ARGS ("Build #8 passed", "Backup failed on nas-01"));
  assert_titles (f, ARGS ("--feed", "HOME"), ARGS ("Washing machine", "Door bell"));
  assert_titles (f, ARGS ("--feed", FEED_HOME), ARGS ("Washing machine", "Door bell"));
  /* A feed without a name goes by the one the window shows. */
  assert_titles (f, ARGS ("--feed", default_name), ARGS ("Disk low"));

  g_assert_cmpint (run_history (f, ARGS ("--feed", "Garage"), &out, &err), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "Garage"));
  g_assert_nonnull (strstr (err, "Builds"));
  g_assert_nonnull (strstr (err, "Home"));
  g_assert_nonnull (strstr (err, default_name));
}

static void
test_since (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  gint64 now = g_get_real_time ();
  g_autofree char *err = NULL;
  static const char *bad[] = { "yesterday", "2026-13-01", "2026-12-01T25:00", "12", "5x", "-2h", "" };

  append_at (history, f->clock, utc_us (2020, 1, 1, 10, 0), FEED_BUILDS, "Builds", "January first", "");
  append_at (history, f->clock, utc_us (2020, 1, 2, 10, 0), FEED_BUILDS, "Builds", "January second", "");
  /* Far enough from the edges that the child's own "now" cannot matter. */
  append_at (history, f->clock, now - 3 * G_TIME_SPAN_HOUR, FEED_BUILDS, "Builds", "Three hours ago", "");
  append_at (history, f->clock, now - G_TIME_SPAN_MINUTE, FEED_BUILDS, "Builds", "A minute ago", "");
  sync_history (history);

  assert_titles (f, ARGS ("--since", "2020-01-02"),
                 ARGS ("A minute ago", "Three hours ago", "January second"));
  assert_titles (f, ARGS ("--since", "2020-01-02T10:00"),
                 ARGS ("A minute ago", "Three hours ago", "January second"));
  assert_titles (f, ARGS ("--since", "2020-01-02T10:00:01Z"), ARGS ("A minute ago", "Three hours ago"));
  assert_titles (f, ARGS ("--since", "2020-01-02T12:00+02:00"),
                 ARGS ("A minute ago", "Three hours ago", "January second"));
  assert_titles (f, ARGS ("--since", "2020-01-02 11:00:00+0200"),
                 ARGS ("A minute ago", "Three hours ago", "January second"));
  assert_titles (f, ARGS ("--since", "1h"), ARGS ("A minute ago"));
  assert_titles (f, ARGS ("--since", "240m"), ARGS ("A minute ago", "Three hours ago"));
  assert_titles (f, ARGS ("--since", "7d"), ARGS ("A minute ago", "Three hours ago"));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run_history (f, ARGS ("--since", bad[i]), NULL, &err), ==, 2);
      g_assert_nonnull (strstr (err, "is not a time"));
    }
}

static void
test_limit (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  g_autoptr(GPtrArray) lines = NULL;
  gint64 t = utc_us (2026, 3, 1, 0, 0);
  gint64 last = 0;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *title = g_strdup_printf ("Message %u", i);

      last = append_at (history, f->clock, t + i * G_TIME_SPAN_MINUTE, FEED_BUILDS, "Builds", title, "");
    }
  sync_history (history);

  /* 50 by default, the newest. */
  lines = query_json (f, NULL);
  g_assert_cmpuint (lines->len, ==, 50);
  g_assert_cmpint (json_object_get_int_member (line_object (lines, 0), "id"), ==, last);
  g_assert_cmpstr (json_object_get_string_member (line_object (lines, 49), "title"), ==, "Message 10");
  g_clear_pointer (&lines, g_ptr_array_unref);

  assert_titles (f, ARGS ("--limit", "2"), ARGS ("Message 59", "Message 58"));
  lines = query_json (f, ARGS ("--limit", "1000"));
  g_assert_cmpuint (lines->len, ==, 60);

  g_assert_cmpint (run_history (f, ARGS ("--limit", "0"), NULL, NULL), ==, 2);
  g_assert_cmpint (run_history (f, ARGS ("--limit", "1001"), NULL, NULL), ==, 2);
  g_assert_cmpint (run_history (f, ARGS ("--limit", "ten"), NULL, NULL), ==, 2);
  g_assert_cmpint (run_history (f, ARGS ("--limit", "-1"), NULL, NULL), ==, 2);
}

/* ---------------------------------------------------------------------- */

static char **
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GStrvBuilder *builder = g_strv_builder_new ();
  const char *name;
  char **names;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_strv_builder_add (builder, name);
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return names;
}

static void
test_no_database (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_history (f, NULL, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "No messages have been stored yet"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_history (f, ARGS ("--json"), &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");

  /* Reading made nothing. */
  g_assert_false (g_file_test (f->db_dir, G_FILE_TEST_EXISTS));

  /* Options are still checked. */
  g_assert_cmpint (run_history (f, ARGS ("--since", "soon"), NULL, NULL), ==, 2);
  g_assert_cmpint (run_history (f, ARGS ("--feed", "Garage"), NULL, NULL), ==, 2);
}

static void
test_damaged_database (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261202);
  g_autofree char *garbage = g_malloc (16384);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) names = NULL;
  gsize after_len;

  for (gsize i = 0; i < 16384; i++)
    garbage[i] = (char) g_rand_int_range (rand, 0, 256);
  g_assert_cmpint (g_mkdir_with_parents (f->db_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->db_path, garbage, 16384, NULL));

  g_assert_cmpint (run_history (f, ARGS ("--json"), &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, f->db_path));

  /* Not set aside, not repaired, nothing beside it. */
  g_assert_true (g_file_get_contents (f->db_path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, garbage, 16384);
  names = list_dir (f->db_dir);
  g_assert_cmpstrv (names, ((const char * const []) { "history.db", NULL }));
}

static void
test_options_need_history (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_environ (launcher, f->environ);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("FEEDBELL"), "--json", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
}

/* ---------------------------------------------------------------------- */

typedef struct
{
  Fixture     *f;
  FbHistory   *history;
  GSubprocess *process;
  char        *out;
  char        *err;
  gboolean     done;
  guint        n_appended;
  gint64       first_id;
  gint64       last_id;
} Concurrent;

static gboolean
keep_writing_cb (gpointer user_data)
{
  Concurrent *c = user_data;

  /* A burst a tick: each one transaction for the writer thread. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *title = g_strdup_printf ("Concurrent %u", c->n_appended);

      c->last_id = append_at (c->history, c->f->clock, g_get_real_time (), FEED_BUILDS, "Builds",
                              title, "Written while the history is read");
      if (c->n_appended++ == 0)
        c->first_id = c->last_id;
    }

  return G_SOURCE_CONTINUE;
}

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Concurrent *c = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &c->out, &c->err, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

static gboolean
is_done (gpointer user_data)
{
  return ((Concurrent *) user_data)->done;
}

/* The ids of @out, newest first, must be a run without a gap: one
 * consistent view of what was committed. */
static void
assert_consistent_page (Concurrent *c,
                        guint       limit)
{
  g_autoptr(GPtrArray) lines = parse_lines (c->out);
  gint64 newest;

  g_assert_cmpuint (lines->len, >, 0);
  g_assert_cmpuint (lines->len, <=, limit);
  newest = json_object_get_int_member (line_object (lines, 0), "id");
  g_assert_cmpint (newest, <=, c->last_id);
  for (guint i = 1; i < lines->len; i++)
    g_assert_cmpint (json_object_get_int_member (line_object (lines, i), "id"), ==, newest - i);
  if (lines->len < limit)
    g_assert_cmpint (json_object_get_int_member (line_object (lines, lines->len - 1), "id"), ==, c->first_id);
}

static void
test_read_while_writing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  FbHistoryQuery everything = { .limit = FB_HISTORY_QUERY_MAX };
  Concurrent c = { .f = f, .history = history };
  guint source, commits_during_reads = 0;

  keep_writing_cb (&c);
  sync_history (history);

  source = g_timeout_add (1, keep_writing_cb, &c);
  for (guint run = 0; run < 5; run++)
    {
      guint before = fb_history_get_n_transactions (history);

      c.done = FALSE;
      c.process = spawn_history (f, ARGS ("--json", "--limit", "1000"));
      g_subprocess_communicate_utf8_async (c.process, NULL, NULL, communicated_cb, &c);
      g_assert_true (fb_test_wait_until (is_done, &c, CHILD_DEADLINE_MS));
      commits_during_reads += fb_history_get_n_transactions (history) - before;

      g_assert_cmpint (finish_history (c.process, c.out, c.err), ==, 0);
      assert_consistent_page (&c, 1000);
      g_clear_object (&c.process);
      g_clear_pointer (&c.out, g_free);
      g_clear_pointer (&c.err, g_free);
    }
  g_source_remove (source);
  g_test_message ("%u messages appended, %u transactions committed while --history read",
                  c.n_appended, commits_during_reads);

  /* The writer went on committing while the reads ran, and lost nothing:
   * a busy database would have made a batch fail. */
  g_assert_cmpuint (commits_during_reads, >, 0);
  g_assert_true (fb_history_sync (history, &error));
  g_assert_no_error (error);
  everything.limit = FB_HISTORY_QUERY_MAX;
  all = fb_history_query (history, &everything, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, MIN (c.n_appended, FB_HISTORY_QUERY_MAX));
  g_assert_cmpint (fb_history_entry_get_id (g_ptr_array_index (all, 0)), ==, c.last_id);
}

/* A writer in the middle of a transaction (the app's writer thread, while
 * it commits) does not make --history wait or fail. */
static void
test_read_during_write_transaction (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(FbHistory) history = open_history (f);
  g_autoptr(GPtrArray) lines = NULL;
  sqlite3 *db = NULL;

  fill_search_corpus (f, history);
  g_clear_object (&history);

  g_assert_cmpint (sqlite3_open (f->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  lines = query_json (f, NULL);
  g_assert_cmpuint (lines->len, ==, 5);
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/history-cli/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("json-fields", test_json_fields);
  ADD ("text-lines", test_text_lines);
  ADD ("json-escaping", test_json_escaping);
  ADD ("search", test_search);
  ADD ("feed", test_feed);
  ADD ("since", test_since);
  ADD ("limit", test_limit);
  ADD ("no-database", test_no_database);
  ADD ("damaged-database", test_damaged_database);
  ADD ("options-need-history", test_options_need_history);
  ADD ("read-while-writing", test_read_while_writing);
  ADD ("read-during-write-transaction", test_read_during_write_transaction);

  return g_test_run ();
}
