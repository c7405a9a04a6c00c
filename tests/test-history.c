/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fb-clock.h"
#include "fb-event-log.h"
#include "fb-history-private.h"
#include "fb-message.h"
#include "fb-recent-store.h"
#include "fb-test-utils.h"

/* The history: what is stored and found again, migrations, retention, the
 * old Recent file, damaged and unwritable places, a full disk, and the
 * promise that a feed's saved position never runs ahead of its messages,
 * checked by killing a writer process at random points. */

/* The history's warnings, kept to be checked: g_test_expect_message()
 * does not see structured logging. */
static GMutex warnings_lock;
static GPtrArray *warnings;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if ((level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "fb-history") == 0 && message != NULL)
    {
      g_mutex_lock (&warnings_lock);
      g_ptr_array_add (warnings, g_strdup (message));
      g_mutex_unlock (&warnings_lock);
      return G_LOG_WRITER_HANDLED;
    }

  /* Any other warning is a failure, as g_test_init() makes it. */
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_log_writer_default (level, fields, n_fields, user_data);
      g_test_fail ();
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* Exactly one history warning came since the last check, and it matches. */
static void
assert_warned (const char *pattern)
{
  g_mutex_lock (&warnings_lock);
  g_assert_cmpuint (warnings->len, ==, 1);
  if (!g_pattern_match_simple (pattern, g_ptr_array_index (warnings, 0)))
    g_error ("warning “%s” does not match “%s”", (char *) g_ptr_array_index (warnings, 0), pattern);
  g_ptr_array_set_size (warnings, 0);
  g_mutex_unlock (&warnings_lock);
}

static FbMessage *
ntfy (const char *feed,
      const char *id,
      const char *title,
      const char *body)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"event\":\"message\",\"topic\":\"t\","
                                           "\"title\":\"%s\",\"message\":\"%s\",\"priority\":4,"
                                           "\"tags\":[\"host-alpha\",\"db\"],\"time\":1700000000,"
                                           "\"click\":\"https://example.org/%s\","
                                           "\"actions\":[{\"action\":\"view\",\"label\":\"Open\","
                                           "\"url\":\"https://example.org/open\"}]}",
                                           id, title, body, id);

  return fb_message_new_from_event (feed, FB_MESSAGE_FORMAT_NTFY, "message", json, strlen (json), NULL);
}

typedef struct
{
  char      *dir;
  char      *path;
  FbClock   *clock;
  FbHistory *history;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("fb-history-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "data", "history.db", NULL);
  f->clock = fb_clock_new_manual (1000 * G_USEC_PER_SEC, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  f->history = fb_history_open (f->path, f->clock);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->history);
  g_clear_object (&f->clock);
  fb_test_delete_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
sync_and_flush (FbHistory *history)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fb_history_sync (history, &error));
  g_assert_no_error (error);
}

static GPtrArray *
query (FbHistory            *history,
       const FbHistoryQuery *q)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = fb_history_query (history, q, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries;
}

static const char *
title_at (GPtrArray *entries,
          guint      i)
{
  return fb_message_get_title (fb_history_entry_get_message (g_ptr_array_index (entries, i)));
}

static gboolean
unread_is (gpointer user_data)
{
  gpointer *args = user_data;

  return fb_history_get_unread (args[0], NULL) == GPOINTER_TO_UINT (args[1]);
}

static void
wait_unread (FbHistory *history,
             guint      n)
{
  gpointer args[2] = { history, GUINT_TO_POINTER (n) };

  g_assert_true (fb_test_wait_until (unread_is, args, 10000));
}

static void
test_store_and_find (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(FbMessage) first = ntfy ("Servers", "a1", "Disk full on alpha", "Only 2% left");
  g_autoptr(FbMessage) second = ntfy ("Servers", "a2", "Backup finished", "Took 4 minutes");
  g_autoptr(FbMessage) third = ntfy ("Builds", "b1", "Build 7 passed", "All green");
  g_autoptr(FbMessage) repeat = ntfy ("Servers", "a1", "Disk full on alpha", "Only 2% left");
  FbHistoryQuery q = { 0 };
  FbMessage *m;
  gint64 id1, id2, id3;

  id1 = fb_history_append (f->history, "s", first);
  id2 = fb_history_append (f->history, "s", second);
  id3 = fb_history_append (f->history, "b", third);
  /* The same message fetched again (after a crash): one entry. */
  fb_history_append (f->history, "s", repeat);
  g_assert_cmpint (id1, <, id2);
  g_assert_cmpint (id2, <, id3);
  g_assert_cmpint (fb_message_get_history_id (first), ==, id1);

  /* Reads see what is committed: nothing yet, everything after a sync. */
  all = query (f->history, &q);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);
  sync_and_flush (f->history);
  all = query (f->history, &q);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (title_at (all, 0), ==, "Build 7 passed");
  g_assert_cmpstr (title_at (all, 2), ==, "Disk full on alpha");

  /* Every part comes back, through the same checks as a server's message. */
  m = fb_history_entry_get_message (g_ptr_array_index (all, 2));
  g_assert_cmpstr (fb_message_get_body (m), ==, fb_message_get_body (first));
  g_assert_true (g_str_has_prefix (fb_message_get_body (m), "Only 2% left"));
  g_assert_cmpstr (fb_message_get_feed_name (m), ==, "Servers");
  g_assert_cmpstr (fb_message_get_click_url (m), ==, "https://example.org/a1");
  g_assert_cmpint (fb_message_get_priority (m), ==, 4);
  g_assert_cmpstr (fb_message_get_tags (m)[1], ==, "db");
  g_assert_cmpuint (fb_message_get_n_actions (m), ==, 1);
  g_assert_cmpint (fb_message_get_time (m), ==, 1700000000);
  g_assert_cmpstr (fb_history_entry_get_feed_id (g_ptr_array_index (all, 2)), ==, "s");
  g_assert_cmpint (fb_history_entry_get_received (g_ptr_array_index (all, 2)), ==, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  g_assert_false (fb_history_entry_get_read (g_ptr_array_index (all, 2)));

  /* Search: words as prefixes, all required, in title, body or feed name;
   * nothing typed is FTS syntax. */
  q.search = "disk ALP";
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (title_at (found, 0), ==, "Disk full on alpha");
  g_clear_pointer (&found, g_ptr_array_unref);
  q.search = "builds";
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  q.search = "minutes";
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (title_at (found, 0), ==, "Backup finished");
  g_clear_pointer (&found, g_ptr_array_unref);
  for (guint i = 0; i < 4; i++)
    {
      static const char * const hostile[] = { "\"", "title:disk", "NEAR(a b)", "* OR -" };

      q.search = hostile[i];
      found = query (f->history, &q);
      g_clear_pointer (&found, g_ptr_array_unref);
    }

  /* A feed, and pages before or after an id. */
  q = (FbHistoryQuery) { .feed_id = "s" };
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 2);
  g_clear_pointer (&found, g_ptr_array_unref);
  q = (FbHistoryQuery) { .before_id = id3, .limit = 1 };
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpint (fb_history_entry_get_id (g_ptr_array_index (found, 0)), ==, id2);
  g_clear_pointer (&found, g_ptr_array_unref);
  q = (FbHistoryQuery) { .after_id = id1 };
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 2);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Unread counts, marking read, deleting, clearing a feed. */
  wait_unread (f->history, 3);
  g_assert_cmpuint (fb_history_get_unread (f->history, "s"), ==, 2);
  fb_history_mark_read (f->history, "s", id1);
  wait_unread (f->history, 2);
  g_assert_cmpuint (fb_history_get_unread (f->history, "s"), ==, 1);
  fb_history_delete_entry (f->history, id2);
  wait_unread (f->history, 1);
  sync_and_flush (f->history);
  g_assert_null (fb_history_lookup (f->history, 99999));
  {
    g_autoptr(FbHistoryEntry) deleted = fb_history_lookup (f->history, id2);

    g_assert_true (fb_history_entry_get_deleted (deleted));
    g_assert_cmpstr (fb_message_get_title (fb_history_entry_get_message (deleted)), ==, "");
  }
  q = (FbHistoryQuery) { .search = "backup" };
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  /* A deleted message sent again stays deleted. */
  {
    g_autoptr(FbMessage) again = ntfy ("Servers", "a2", "Backup finished", "Took 4 minutes");

    fb_history_append (f->history, "s", again);
    sync_and_flush (f->history);
    q = (FbHistoryQuery) { .feed_id = "s" };
    found = query (f->history, &q);
    g_assert_cmpuint (found->len, ==, 1);
    g_clear_pointer (&found, g_ptr_array_unref);
  }
  fb_history_clear_feed (f->history, "b");
  wait_unread (f->history, 0);
  q = (FbHistoryQuery) { 0 };
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 1);
}

static FbMessage *
ntfy_revision (const char *id,
               const char *sequence_id,
               const char *title)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"event\":\"message\",\"topic\":\"t\","
                                           "\"sequence_id\":\"%s\",\"title\":\"%s\",\"message\":\"m\"}",
                                           id, sequence_id, title);
  FbMessage *message = fb_message_new_from_event ("Downloads", FB_MESSAGE_FORMAT_NTFY, "message",
                                                  json, strlen (json), NULL);

  g_assert_cmpstr (fb_message_get_group (message), ==, sequence_id);
  return message;
}

/* ntfy's updates: each revision is kept, the latest is listed and counted;
 * a delete or a clear of the sequence hides or reads it. */
static void
test_revisions (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FbMessage) first = ntfy_revision ("m1", "dl-7", "Downloading 10%");
  g_autoptr(FbMessage) second = ntfy_revision ("m2", "dl-7", "Downloading 60%");
  g_autoptr(FbMessage) other = ntfy_revision ("m3", "dl-8", "Other download");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(FbHistoryEntry) old = NULL;
  FbHistoryQuery q = { 0 };
  gint64 id1, id2;

  id1 = fb_history_append (f->history, "d", first);
  id2 = fb_history_append (f->history, "d", second);
  fb_history_append (f->history, "d", other);
  sync_and_flush (f->history);
  wait_unread (f->history, 2);

  all = query (f->history, &q);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (title_at (all, 1), ==, "Downloading 60%");
  g_assert_cmpint (fb_history_entry_get_revision_of (g_ptr_array_index (all, 1)), ==, id1);
  old = fb_history_lookup (f->history, id1);
  g_assert_cmpstr (fb_message_get_title (fb_history_entry_get_message (old)), ==, "Downloading 10%");
  g_clear_pointer (&all, g_ptr_array_unref);

  fb_history_close_sequence (f->history, "d", "dl-8", FALSE);
  wait_unread (f->history, 1);
  fb_history_close_sequence (f->history, "d", "dl-7", TRUE);
  wait_unread (f->history, 0);
  all = query (f->history, &q);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (title_at (all, 0), ==, "Other download");
  g_assert_true (fb_history_entry_get_read (g_ptr_array_index (all, 0)));
  (void) id2;
}

/* A Markdown message comes back as Markdown, to be rendered the same. */
static void
test_markdown_kept (Fixture       *f,
                    gconstpointer  data)
{
  const char *json = "{\"id\":\"md1\",\"event\":\"message\",\"topic\":\"t\","
                     "\"content_type\":\"text/markdown\",\"message\":\"**Done**\"}";
  g_autoptr(FbMessage) markdown = fb_message_new_from_event ("Builds", FB_MESSAGE_FORMAT_NTFY, "message",
                                                             json, strlen (json), NULL);
  g_autoptr(FbMessage) plain = ntfy ("Builds", "p1", "Plain", "**not markdown**");
  g_autoptr(GPtrArray) all = NULL;
  FbHistoryQuery q = { 0 };

  g_assert_true (fb_message_is_markdown (markdown));
  fb_history_append (f->history, "b", markdown);
  fb_history_append (f->history, "b", plain);
  sync_and_flush (f->history);
  all = query (f->history, &q);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_false (fb_message_is_markdown (fb_history_entry_get_message (g_ptr_array_index (all, 0))));
  g_assert_true (fb_message_is_markdown (fb_history_entry_get_message (g_ptr_array_index (all, 1))));
  g_assert_cmpstr (fb_message_get_body (fb_history_entry_get_message (g_ptr_array_index (all, 1))), ==, "**Done**");
}

static void
test_reopen_keeps_everything (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(FbMessage) note = NULL;
  g_autoptr(GPtrArray) all = NULL;
  FbHistoryQuery q = { 0 };
  gint64 id;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autoptr(FbMessage) m = ntfy ("Servers", key, "Ping", "pong");

      fb_history_append (f->history, "s", m);
    }
  note = fb_message_new_from_event ("Servers", FB_MESSAGE_FORMAT_PLAIN, NULL, "Unreachable since 10:00", 23, NULL);
  id = fb_history_append_note (f->history, "s", note);
  /* Dispose commits what is queued. */
  g_clear_object (&f->history);

  f->history = fb_history_open (f->path, f->clock);
  g_assert_true (fb_history_is_persistent (f->history));
  g_assert_cmpuint (fb_history_get_unread (f->history, NULL), ==, 5);
  all = query (f->history, &q);
  g_assert_cmpuint (all->len, ==, 6);
  g_assert_true (fb_history_entry_is_note (g_ptr_array_index (all, 0)));
  g_assert_true (fb_history_entry_get_read (g_ptr_array_index (all, 0)));
  /* New ids go on from the last one. */
  {
    g_autoptr(FbMessage) m = ntfy ("Servers", "k9", "Ping", "pong");

    g_assert_cmpint (fb_history_append (f->history, "s", m), >, id);
  }
}

static void
test_migrate_from_first_version (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  FbHistoryQuery q = { .search = "kettle" };
  sqlite3 *db = NULL;

  g_clear_object (&f->history);
  fb_test_delete_tree (f->dir);
  g_mkdir_with_parents (f->dir, 0700);
  g_free (f->path);
  f->path = g_build_filename (f->dir, "history.db", NULL);

  /* A database as the first schema made it, with a row in it. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_true (_fb_history_db_migrate (db, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (_fb_history_db_get_version (db), ==, 1);
  g_assert_true (_fb_history_db_exec (db, "INSERT INTO messages (id, feed_id, feed_name, message_key, received, title, body)"
                                          " VALUES (7, 'k', 'Kitchen', 'x1', 1, 'Kettle boiled', 'Tea time')", &error));
  g_assert_no_error (error);
  sqlite3_close (db);

  f->history = fb_history_open (f->path, f->clock);
  g_assert_true (fb_history_is_persistent (f->history));
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpint (fb_history_entry_get_id (g_ptr_array_index (found, 0)), ==, 7);
  g_clear_pointer (&found, g_ptr_array_unref);
  q.feed_id = "k";
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  q.feed_id = "elsewhere";
  found = query (f->history, &q);
  g_assert_cmpuint (found->len, ==, 0);
  g_assert_cmpuint (fb_history_get_unread (f->history, "k"), ==, 1);

  /* A database from a newer Feedbell is not damaged: it is left as it is,
   * and this Feedbell keeps its messages in a temporary one. */
  g_clear_object (&f->history);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_true (_fb_history_db_exec (db, "PRAGMA user_version = 99", &error));
  sqlite3_close (db);
  f->history = fb_history_open (f->path, f->clock);
  assert_warned ("*newer Feedbell*only until Feedbell quits*");
  g_assert_false (fb_history_is_persistent (f->history));
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static guint
count (FbHistory  *history,
       const char *feed_id)
{
  FbHistoryQuery q = { .feed_id = feed_id };
  g_autoptr(GPtrArray) all = query (history, &q);

  return all->len;
}

typedef struct
{
  FbHistory *history;
  guint      a;
  guint      b;
} Counts;

static gboolean
counts_are (gpointer user_data)
{
  Counts *c = user_data;

  fb_history_sync (c->history, NULL);
  return count (c->history, "a") == c->a && count (c->history, "b") == c->b;
}

static void
test_retention (Fixture       *f,
                gconstpointer  data)
{
  Counts expected = { f->history, 0, 0 };

  /* Feed a: one message a day for 10 days; feed b: 30 today. */
  for (guint day = 0; day < 10; day++)
    {
      g_autofree char *key = g_strdup_printf ("a%u", day);
      g_autoptr(FbMessage) m = ntfy ("A", key, "Daily", "report");

      fb_history_append (f->history, "a", m);
      fb_clock_advance (f->clock, (gint64) 24 * 60 * 60 * G_USEC_PER_SEC);
    }
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *key = g_strdup_printf ("b%u", i);
      g_autoptr(FbMessage) m = ntfy ("B", key, "Often", "again");

      fb_history_append (f->history, "b", m);
    }
  sync_and_flush (f->history);
  g_assert_cmpuint (count (f->history, "a"), ==, 10);

  /* Keep 4 days and 12 per feed: a keeps its last 4 days (received 1 to 4
   * days ago), b its newest 12. */
  fb_history_set_retention (f->history, 4, 12);
  expected.a = 4;
  expected.b = 12;
  g_assert_true (fb_test_wait_until (counts_are, &expected, 10000));
  {
    FbHistoryQuery q = { .feed_id = "b" };
    g_autoptr(GPtrArray) b = query (f->history, &q);

    g_assert_cmpstr (fb_message_get_key (fb_history_entry_get_message (g_ptr_array_index (b, 0))), ==, "b29");
    g_assert_cmpstr (fb_message_get_key (fb_history_entry_get_message (g_ptr_array_index (b, 11))), ==, "b18");
  }

  /* It runs by itself, on the history's clock: two more days go by. */
  fb_clock_advance (f->clock, (gint64) 2 * 24 * 60 * 60 * G_USEC_PER_SEC);
  fb_test_flush_main_context ();
  expected.a = 2;
  g_assert_true (fb_test_wait_until (counts_are, &expected, 10000));
}

static void
test_import_recent (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *recent_path = g_build_filename (f->dir, "recent.json", NULL);
  g_autoptr(GPtrArray) recent = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  FbHistoryQuery q = { 0 };

  /* Newest first, as Recent kept it. */
  g_ptr_array_add (recent, ntfy ("Servers", "r2", "Second", "newer"));
  g_ptr_array_add (recent, ntfy ("Gone", "r1", "First", "older"));
  g_assert_true (fb_recent_store_save (recent_path, recent, &error));
  g_hash_table_insert (ids, "Servers", "s");

  g_assert_true (fb_history_import_recent (f->history, recent_path, ids));
  g_assert_false (g_file_test (recent_path, G_FILE_TEST_EXISTS));
  all = query (f->history, &q);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (title_at (all, 0), ==, "Second");
  g_assert_cmpstr (fb_history_entry_get_feed_id (g_ptr_array_index (all, 0)), ==, "s");
  g_assert_cmpstr (fb_history_entry_get_feed_id (g_ptr_array_index (all, 1)), ==, "");
  g_assert_true (fb_history_entry_get_read (g_ptr_array_index (all, 0)));
  /* Once only. */
  g_assert_false (fb_history_import_recent (f->history, recent_path, ids));
}

static guint
count_set_aside (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "history.db.damaged-") && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      n++;

  return n;
}

static void
assert_works (FbHistory *history)
{
  g_autoptr(FbMessage) m = ntfy ("Servers", "w1", "Still here", "notifying");
  g_autoptr(GPtrArray) all = NULL;
  FbHistoryQuery q = { .search = "still" };

  fb_history_append (history, "s", m);
  sync_and_flush (history);
  all = query (history, &q);
  g_assert_cmpuint (all->len, ==, 1);
}

static void
test_damaged_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autoptr(GString) garbage = g_string_new (NULL);
  g_autofree char *contents = NULL;
  gsize length;

  /* A garbage file. */
  g_clear_object (&f->history);
  for (guint i = 0; i < 4096; i++)
    g_string_append_c (garbage, (char) (i * 7919 % 251));
  g_assert_true (g_file_set_contents (f->path, garbage->str, garbage->len, NULL));
  f->history = fb_history_open (f->path, f->clock);
  assert_warned ("*damaged*set aside*");
  g_assert_true (fb_history_is_persistent (f->history));
  g_assert_cmpuint (count_set_aside (dir), ==, 1);
  assert_works (f->history);

  /* A truncated file: a real history cut in half. */
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *key = g_strdup_printf ("t%u", i);
      g_autoptr(FbMessage) m = ntfy ("Servers", key, "Filler message with some words", "and a body to take room");

      fb_history_append (f->history, "s", m);
    }
  g_clear_object (&f->history);
  {
    sqlite3 *db = NULL;

    /* Checkpointed, so that the main file holds everything. */
    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 64 * 1024);
  g_assert_true (g_file_set_contents (f->path, contents, length / 2, NULL));
  f->history = fb_history_open (f->path, f->clock);
  assert_warned ("*damaged*set aside*");
  g_assert_true (fb_history_is_persistent (f->history));
  assert_works (f->history);
}

static void
test_unwritable_place (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (f->dir, "not-a-dir", NULL);
  g_autofree char *path = g_build_filename (blocker, "feedbell", "history.db", NULL);
  g_autoptr(FbHistory) history = NULL;
  g_autofree char *temp_path = NULL;

  /* A file where the directory should be: cannot be made, even by root. */
  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  history = fb_history_open (path, f->clock);
  assert_warned ("*only until Feedbell quits*");
  g_assert_false (fb_history_is_persistent (history));
  assert_works (history);
  temp_path = g_strdup (fb_history_get_path (history));
  g_assert_true (g_file_test (temp_path, G_FILE_TEST_EXISTS));
  g_clear_object (&history);
  g_assert_false (g_file_test (temp_path, G_FILE_TEST_EXISTS));

  /* A read-only directory (root writes anyway, so only as a user). */
  if (getuid () != 0)
    {
      g_autofree char *ro = g_build_filename (f->dir, "ro", NULL);
      g_autofree char *ro_path = g_build_filename (ro, "history.db", NULL);

      g_mkdir (ro, 0500);
      history = fb_history_open (ro_path, f->clock);
      assert_warned ("*only until Feedbell quits*");
      g_assert_false (fb_history_is_persistent (history));
      assert_works (history);
      g_clear_object (&history);
      g_chmod (ro, 0700);
    }
}

static void
test_full_disk (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n_before;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *key = g_strdup_printf ("f%u", i);
      g_autoptr(FbMessage) m = ntfy ("Servers", key, "Before", "the disk filled");

      fb_history_append (f->history, "s", m);
    }
  sync_and_flush (f->history);
  n_before = count (f->history, NULL);

  /* The file may not grow any more: a burst fails as a whole, says so once
   * in the log, and appending goes on without an error to the caller. */
  _fb_history_limit_pages (f->history, 1);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *key = g_strdup_printf ("g%u", i);
      g_autoptr(FbMessage) m = ntfy ("Servers", key, "During", "a full disk, with text to fill pages");

      g_assert_cmpint (fb_history_append (f->history, "s", m), >, 0);
    }
  g_assert_false (fb_history_sync (f->history, &error));
  assert_warned ("*Storing messages*notifications go on*");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (count (f->history, NULL), ==, n_before);

  /* Room again: the next burst is stored. */
  _fb_history_limit_pages (f->history, 1000000);
  assert_works (f->history);
}

/* The event log's position goes through the history's queue, behind the
 * messages it covers, and replaces the log's file. */
static void
test_position_follows_messages (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *log_path = g_build_filename (f->dir, "feed.json", NULL);
  g_autoptr(FbEventLog) old = fb_event_log_new_with_clock (log_path, f->clock);
  g_autoptr(FbEventLog) log = NULL;
  g_autoptr(GError) error = NULL;

  /* A log from before the history: its file is brought in, then removed. */
  fb_event_log_record (old, "41", NULL);
  g_assert_true (fb_event_log_flush (old, &error));
  g_clear_object (&old);
  log = fb_event_log_new_with_clock (log_path, f->clock);
  fb_history_attach_event_log (f->history, "s", log);
  sync_and_flush (f->history);
  g_assert_false (g_file_test (log_path, G_FILE_TEST_EXISTS));

  fb_event_log_record (log, "42", NULL);
  {
    g_autoptr(FbMessage) m = ntfy ("Servers", "42", "Forty-two", "");

    fb_history_append (f->history, "s", m);
  }
  g_assert_true (fb_event_log_flush (log, &error));
  g_clear_object (&log);
  g_clear_object (&f->history);
  g_assert_false (g_file_test (log_path, G_FILE_TEST_EXISTS));

  f->history = fb_history_open (f->path, f->clock);
  log = fb_event_log_new_with_clock (log_path, f->clock);
  g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "");
  fb_history_attach_event_log (f->history, "s", log);
  g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "42");
  g_assert_true (fb_event_log_has_seen (log, "41"));

  /* A removed feed's position goes. */
  fb_history_forget_position (f->history, "s");
  g_clear_object (&log);
  sync_and_flush (f->history);
  log = fb_event_log_new_with_clock (log_path, f->clock);
  fb_history_attach_event_log (f->history, "s", log);
  g_assert_cmpstr (fb_event_log_get_last_event_id (log), ==, "");
}

/* --- killed at random points ------------------------------------------- */

#define KILL_FEED "f"

/* The child: a feed that resumes where its stored position says and then
 * receives messages 1, 2, 3… as fast as it can, recording each in its
 * event log before storing it, as the feed runner does, and yielding to
 * the main loop every few so that bursts end and saves fall due. */
static int
run_child (const char *path)
{
  g_autoptr(FbHistory) history = fb_history_open (path, NULL);
  g_autoptr(FbEventLog) log = g_object_new (FB_TYPE_EVENT_LOG, NULL);
  guint64 next;

  fb_history_attach_event_log (history, KILL_FEED, log);
  next = g_ascii_strtoull (fb_event_log_get_last_event_id (log), NULL, 10) + 1;

  for (;;)
    {
      for (guint i = 0; i < 7; i++, next++)
        {
          g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, next);
          g_autoptr(FbMessage) m = fb_message_new_from_event ("Numbers", FB_MESSAGE_FORMAT_PLAIN, "message",
                                                              id, strlen (id), id);

          fb_event_log_record (log, id, NULL);
          fb_history_append (history, KILL_FEED, m);
        }
      g_main_context_iteration (NULL, FALSE);
    }

  return 0;
}

typedef struct
{
  const char *path;
  gint64      at_least;
  guint64     position_past;
} Progress;

/* The feed's stored position, as a number; 0 when none. */
static guint64
stored_position (const char *path)
{
  g_autoptr(FbEventLog) log = g_object_new (FB_TYPE_EVENT_LOG, NULL);
  g_autofree char *data = NULL;
  sqlite3 *db = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS) &&
      sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    data = _fb_history_db_get_position (db, KILL_FEED);
  sqlite3_close (db);

  if (data == NULL || !fb_event_log_load_data (log, data, NULL))
    return 0;

  return g_ascii_strtoull (fb_event_log_get_last_event_id (log), NULL, 10);
}

static gint64
stored_count (const char *path)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  {
    sqlite3 *db = NULL;

    if (g_file_test (path, G_FILE_TEST_EXISTS) &&
        sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2 (db, "SELECT count(*) FROM messages", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step (stmt) == SQLITE_ROW)
      n = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }

  return n;
}

static gboolean
has_progressed (gpointer user_data)
{
  Progress *progress = user_data;

  return stored_count (progress->path) >= progress->at_least &&
         stored_position (progress->path) > progress->position_past;
}

static gboolean
has_progressed_count (gpointer user_data)
{
  Progress *progress = user_data;

  return stored_count (progress->path) >= progress->at_least;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Another process's progress shows only in its files: looked at again on
 * a tick until it shows. The limit only stops a broken child from hanging
 * the test: under a sanitizer on a busy machine the child stores a few
 * hundred messages a second, so it is far beyond what a round needs. */
static gboolean
wait_for_child (FbTestCondition condition,
                gpointer        user_data)
{
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean ok = fb_test_wait_until (condition, user_data, 240000);

  g_source_remove (tick);
  return ok;
}

static void
test_killed_writer (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(GError) error = NULL;
  g_autoptr(FbEventLog) log = g_object_new (FB_TYPE_EVENT_LOG, NULL);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *argv[] = { NULL, "--child", f->path, NULL };
  Progress progress = { f->path, 0 };
  guint64 max_key = 0;
  guint kills = 6;

  g_clear_object (&f->history);
  argv[0] = g_test_get_filename (G_TEST_BUILT, "test-history", NULL);

  for (guint round = 0; round < kills; round++)
    {
      g_autoptr(GSubprocess) child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);

      g_assert_no_error (error);
      /* Killed once it has stored more messages and a later position, and
       * then a random number of messages more: at any point of the save's
       * cycle. */
      progress.at_least = stored_count (f->path) + 500;
      g_assert_true (wait_for_child (has_progressed, &progress));
      progress.position_past = stored_position (f->path);
      progress.at_least = stored_count (f->path) + g_rand_int_range (rand, 0, 2000);
      g_assert_true (wait_for_child (has_progressed_count, &progress));
      g_subprocess_send_signal (child, SIGKILL);
      g_assert_true (g_subprocess_wait (child, NULL, &error));
      g_assert_no_error (error);
    }

  /* Every message from 1 to the last stored is there, once; and the stored
   * position is not past the last of them. */
  f->history = fb_history_open (f->path, f->clock);
  fb_history_attach_event_log (f->history, KILL_FEED, log);
  for (gint64 before = 0;;)
    {
      FbHistoryQuery q = { .feed_id = KILL_FEED, .before_id = before };
      g_autoptr(GPtrArray) page = query (f->history, &q);

      if (page->len == 0)
        break;
      for (guint i = 0; i < page->len; i++)
        {
          const char *key = fb_message_get_key (fb_history_entry_get_message (g_ptr_array_index (page, i)));

          if (key == NULL)
            key = fb_message_get_id (fb_history_entry_get_message (g_ptr_array_index (page, i)));
          g_assert_false (g_hash_table_contains (keys, key));
          g_hash_table_add (keys, g_strdup (key));
          max_key = MAX (max_key, g_ascii_strtoull (key, NULL, 10));
        }
      before = fb_history_entry_get_id (g_ptr_array_index (page, page->len - 1));
    }

  g_assert_cmpuint (g_hash_table_size (keys), ==, max_key);
  g_assert_cmpuint (max_key, >=, progress.at_least);
  g_assert_cmpuint (g_ascii_strtoull (fb_event_log_get_last_event_id (log), NULL, 10), <=, max_key);
  g_assert_cmpuint (g_ascii_strtoull (fb_event_log_get_last_event_id (log), NULL, 10), >, 0);
  g_test_message ("%u kills, %" G_GUINT64_FORMAT " messages, resumed up to %s",
                  kills, max_key, fb_event_log_get_last_event_id (log));
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2]);

  g_test_init (&argc, &argv, NULL);
  warnings = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) \
  g_test_add ("/history/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("store-and-find", test_store_and_find);
  ADD ("reopen", test_reopen_keeps_everything);
  ADD ("revisions", test_revisions);
  ADD ("markdown", test_markdown_kept);
  ADD ("migrate", test_migrate_from_first_version);
  ADD ("retention", test_retention);
  ADD ("import-recent", test_import_recent);
  ADD ("damaged", test_damaged_files);
  ADD ("unwritable", test_unwritable_place);
  ADD ("full-disk", test_full_disk);
  ADD ("position", test_position_follows_messages);
  ADD ("killed", test_killed_writer);
#undef ADD

  return g_test_run ();
}
