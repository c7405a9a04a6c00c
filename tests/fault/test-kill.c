/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fb-fault-ntfy.h"
#include "fb-listen-client.h"
#include "fb-test-utils.h"

/*
 * SIGKILL in the middle of a firehose. The server sends numbered events as
 * fast as the connection takes them, so feedbell-listen is busy all the
 * time (its main loop seldom idle), and it is killed at random moments,
 * then started again with the same --state-file. After each kill:
 *
 * - the saved id was printed (an id saved but never printed is an event
 *   lost: the next process resumes after it);
 * - what the next process prints again is only what was printed but not yet
 *   saved;
 * - the next process goes on from the saved id, in order;
 * - a client that lives on saves at all: every LONG_LIFE_EVERY-th one is
 *   killed only once its state file has moved on, and a save that never
 *   comes fails the test when the wait runs out.
 *
 * How long the unsaved lines had been on screen at a kill is reported, not
 * asserted: on a loaded machine (ASan, two CPU hogs beside it) a busy client
 * can be stalled for seconds, and the debounce itself is tested exactly on
 * a manual clock (test-event-log).
 *
 * The fault run (test-fault.c) kills clients that mostly idle between
 * events; this one kills busy ones, where the debounced save and the output
 * buffer can race (and did: a save once landed before its lines were out).
 *
 * How many kills: `--kills=N`. The `net` suite (CI, also under ASan) runs a
 * dozen, enough to kill at every point of a save's cycle and, with
 * LONG_LIFE_EVERY, after saves; the `soak` suite runs 500.
 *
 * `--ntfy`: the server is ntfy (fb-fault-ntfy.h), read with `--format ntfy`:
 * messages with string ids and no `id:` lines, each chunk led by a
 * keepalive event, each stream by an open event, resumed by since= alone.
 */

#define EVENTS_PER_CHUNK  64
/* Every LONG_LIFE_EVERY-th client is killed only after its state file has
 * moved on, so that a save that never comes shows; the others die within a
 * second of their first line, at any point of a save's cycle. */
#define LONG_LIFE_EVERY   4
/* Only stops a test that hangs. */
#define RUN_MS            60000

typedef struct
{
  guint64  id;
  gint64   read_at;
} Printed;

typedef struct
{
  FbTestSseServer   *server;
  FbFaultNtfy       *ntfy;       /* with --ntfy */
  GPtrArray         *pacers;     /* Pacer */
  char              *url;
  char              *dir;
  char              *state_path;
  GRand             *rand;

  FbListenClient    *client;
  gboolean           done;
  guint64            base;
  guint64            last_printed;
  GArray            *printed;
  GString           *expected;
  guint64            n_lines;
  GPtrArray         *errors;
  char              *loss;       /* the first id saved but never printed */

  guint              n_kills;
  guint64            dups;
  guint              max_dups;
  gint64             max_unsaved_us;  /* the oldest unsaved line at a kill */
} Fixture;

/* One stream: the next chunk of events as soon as the last was written. */
typedef struct
{
  FbTestStream *stream;
  FbFaultNtfy  *ntfy;
  guint64       next_id;
  gulong        wrote_id;
} Pacer;

static void
pacer_free (Pacer *pacer)
{
  if (pacer->wrote_id != 0)
    g_signal_handler_disconnect (fb_test_stream_get_message (pacer->stream), pacer->wrote_id);
  g_free (pacer);
}

static void
pace (Pacer *pacer)
{
  g_autoptr(GString) chunk = g_string_new (NULL);

  if (fb_test_stream_is_done (pacer->stream))
    return;

  if (pacer->ntfy != NULL)
    fb_fault_ntfy_append_event (pacer->ntfy, chunk, "keepalive");
  for (guint i = 0; i < EVENTS_PER_CHUNK; i++, pacer->next_id++)
    {
      if (pacer->ntfy != NULL)
        fb_fault_ntfy_append_message (pacer->ntfy, chunk, pacer->next_id);
      else
        g_string_append_printf (chunk, "id: %" G_GUINT64_FORMAT "\ndata: event %" G_GUINT64_FORMAT "\n\n",
                                pacer->next_id, pacer->next_id);
    }
  fb_test_stream_write (pacer->stream, chunk->str, chunk->len);
}

static void
wrote_chunk_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  pace (user_data);
}

static void fixture_error (Fixture    *f,
                           const char *format,
                           ...) G_GNUC_PRINTF (2, 3);

/* ntfy ignores Last-Event-ID: since= alone says where a stream starts,
 * after ntfy's open event (added to @head). The firehose has made every
 * message there is: a request without since= would get none of them. */
static guint64
ntfy_resume_from (Fixture           *f,
                  SoupServerMessage *msg,
                  GHashTable        *query,
                  GString           *head)
{
  const char *since = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  gboolean known;
  guint64 from = fb_fault_ntfy_resume_from (f->ntfy, since, 0, &known);

  if (since == NULL)
    fixture_error (f, "a request without since=");
  else if (!known && !g_str_equal (since, "all"))
    fixture_error (f, "since=%s names no message", since);
  if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Last-Event-ID"))
    fixture_error (f, "Last-Event-ID sent to ntfy");
  fb_fault_ntfy_append_event (f->ntfy, head, "open");

  return MAX (from, 1);
}

static void
server_cb (FbTestSseServer   *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  Fixture *f = user_data;
  Pacer *pacer = g_new0 (Pacer, 1);
  g_autoptr(GString) head = g_string_new ("retry: 100\n\n");

  pacer->stream = fb_test_sse_server_stream (server, msg, "text/event-stream");
  pacer->next_id = fb_test_resume_from (msg);
  if (f->ntfy != NULL)
    pacer->next_id = ntfy_resume_from (f, msg, query, head);
  pacer->ntfy = f->ntfy;
  pacer->wrote_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), pacer);
  g_ptr_array_add (f->pacers, pacer);
  fb_test_stream_write (pacer->stream, head->str, head->len);
}

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
line_cb (FbListenClient *client,
         const char     *line,
         gsize           len,
         gint64          read_at,
         gpointer        user_data)
{
  Fixture *f = user_data;
  guint64 expected_id = f->last_printed + 1;
  Printed printed = { expected_id, read_at };
  const char *id;

  f->n_lines++;
  if (f->ntfy != NULL)
    {
      printed.id = fb_fault_ntfy_check_line (f->ntfy, line, len);
      if (printed.id != expected_id && f->errors->len == 0)
        fixture_error (f, "after %" G_GUINT64_FORMAT " expected ntfy's message %" G_GUINT64_FORMAT
                       ", got %s", f->last_printed, expected_id, line);
      f->last_printed = printed.id;
      g_array_append_val (f->printed, printed);
      return;
    }

  g_string_printf (f->expected, "{\"type\":\"message\",\"data\":\"event %" G_GUINT64_FORMAT
                   "\",\"lastEventId\":\"%" G_GUINT64_FORMAT "\"}", expected_id, expected_id);
  if (len != f->expected->len || memcmp (line, f->expected->str, len) != 0)
    {
      /* Only the first: everything after a gap would differ too. */
      if (f->errors->len == 0)
        fixture_error (f, "after %" G_GUINT64_FORMAT " expected %s, got %s",
                       f->last_printed, f->expected->str, line);
      id = strstr (line, "lastEventId\":\"");
      printed.id = id ? g_ascii_strtoull (id + strlen ("lastEventId\":\""), NULL, 10) : 0;
    }
  f->last_printed = printed.id;
  g_array_append_val (f->printed, printed);
}

static void
done_cb (FbListenClient *client,
         gpointer        user_data)
{
  Fixture *f = user_data;

  f->done = TRUE;
}

static guint64
read_saved_id (Fixture *f)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  const char *id;

  if (!g_file_test (f->state_path, G_FILE_TEST_EXISTS))
    return 0;

  json_parser_load_from_file (parser, f->state_path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  object = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_string_member_with_default (object, "lastEventId", "");
  if (f->ntfy != NULL && id[0] != '\0')
    {
      /* ntfy's id of a message printed, resumed with since=. */
      g_assert_cmpuint (fb_fault_ntfy_lookup (f->ntfy, id), >, 0);
      g_assert_cmpstr (json_object_get_string_member_with_default (object, "resumeParam", ""), ==, "since");
      return fb_fault_ntfy_lookup (f->ntfy, id);
    }

  return g_ascii_strtoull (id, NULL, 10);
}

static gboolean
timer_cb (gpointer user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
fired_cb (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static void
spawn (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--state-file", f->state_path, "--idle-timeout", "5", f->url, NULL, NULL, NULL };

  if (f->ntfy != NULL)
    {
      args[4] = "--format";
      args[5] = "ntfy";
      args[6] = f->url;
    }

  g_clear_pointer (&f->client, fb_listen_client_free);
  f->base = read_saved_id (f);
  f->last_printed = f->base;
  f->done = FALSE;
  g_array_set_size (f->printed, 0);
  /* A build relinking the program in the same tree makes it briefly
   * impossible to run: try again in a moment. */
  for (guint tries = 0; f->client == NULL && tries < 100; tries++)
    {
      gboolean fired = FALSE;

      g_clear_error (&error);
      f->client = fb_listen_client_spawn (args, line_cb, done_cb, f, &error);
      if (f->client != NULL)
        break;
      g_timeout_add (100, timer_cb, &fired);
      fb_test_wait_until (fired_cb, &fired, 1000);
    }
  g_assert_no_error (error);
}

/* The client's state file has moved on since it started. */
static gboolean
saved_some_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return read_saved_id (f) > f->base || f->done;
}

static gboolean
printed_some_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->last_printed > f->base || f->done;
}

static gboolean
done_cond (gpointer user_data)
{
  Fixture *f = user_data;

  return f->done;
}

static void
check_kill (Fixture *f,
            gint64   killed_at)
{
  guint64 saved = read_saved_id (f);
  guint64 dups;

  g_assert_cmpint (fb_listen_client_get_status (f->client), ==, -SIGKILL);

  if (saved > f->last_printed)
    {
      f->loss = g_strdup_printf ("kill %u: the state file says %" G_GUINT64_FORMAT " but only up to %"
                                 G_GUINT64_FORMAT " was printed: %" G_GUINT64_FORMAT " event(s) lost",
                                 f->n_kills, saved, f->last_printed, saved - f->last_printed);
      return;
    }
  if (saved < f->base)
    fixture_error (f, "kill %u: the state file went back from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                   f->n_kills, f->base, saved);

  dups = f->last_printed - saved;
  for (guint i = 0; i < f->printed->len; i++)
    {
      Printed *p = &g_array_index (f->printed, Printed, i);

      /* The oldest line not saved at the kill: a figure, not a bound. */
      if (p->id > saved)
        {
          f->max_unsaved_us = MAX (f->max_unsaved_us, killed_at - p->read_at);
          break;
        }
    }

  f->dups += dups;
  f->max_dups = MAX (f->max_dups, (guint) dups);
}

static void
test_kill_firehose (gconstpointer data)
{
  guint n_kills = GPOINTER_TO_UINT (data) >> 1;
  gboolean ntfy = GPOINTER_TO_UINT (data) & 1;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };
  guint32 seed;
  const char *env = g_getenv ("FB_FAULT_SEED");
  guint64 total_printed = 0;
  gint64 started = g_get_monotonic_time ();

  seed = env ? (guint32) g_ascii_strtoull (env, NULL, 0) : (guint32) g_get_real_time ();
  g_test_message ("seed %u", seed);
  f.rand = g_rand_new_with_seed (seed);
  f.server = fb_test_sse_server_new (server_cb, &f);
  f.pacers = g_ptr_array_new_with_free_func ((GDestroyNotify) pacer_free);
  if (ntfy)
    {
      f.ntfy = fb_fault_ntfy_new (g_rand_int (f.rand));
      f.url = fb_test_sse_server_url (f.server, "/" FB_FAULT_NTFY_TOPIC "/sse?since=all");
    }
  else
    f.url = fb_test_sse_server_url (f.server, "/events");
  f.dir = g_dir_make_tmp ("feedbell-kill-XXXXXX", &error);
  g_assert_no_error (error);
  f.state_path = g_build_filename (f.dir, "state.json", NULL);
  f.printed = g_array_new (FALSE, FALSE, sizeof (Printed));
  f.expected = g_string_new (NULL);
  f.errors = g_ptr_array_new_with_free_func (g_free);

  for (f.n_kills = 0; f.n_kills < n_kills && f.errors->len == 0 && f.loss == NULL; f.n_kills++)
    {
      gboolean fired = FALSE;
      guint life_ms;
      gint64 killed_at;

      spawn (&f);
      g_assert_true (fb_test_wait_until (printed_some_cb, &f, RUN_MS));
      g_assert_false (f.done);
      /* A long life: a save must come. */
      if (f.n_kills % LONG_LIFE_EVERY == LONG_LIFE_EVERY - 1)
        {
          if (!fb_test_wait_until (saved_some_cb, &f, RUN_MS))
            fixture_error (&f, "kill %u: the state file never moved on", f.n_kills);
          g_assert_false (f.done);
        }
      /* Anywhere in the next second: a save every 500 ms, the output
       * flushed every 50 ms at least. */
      life_ms = g_rand_int_range (f.rand, 1, 1000);
      g_timeout_add (life_ms, timer_cb, &fired);
      fb_test_wait_until (fired_cb, &fired, RUN_MS);
      killed_at = g_get_monotonic_time ();
      fb_listen_client_send_signal (f.client, SIGKILL);
      g_assert_true (fb_test_wait_until (done_cond, &f, RUN_MS));
      total_printed += f.last_printed - f.base;
      check_kill (&f, killed_at);
      /* The streams of the killed process end with it. */
      g_ptr_array_set_size (f.pacers, 0);
      g_ptr_array_set_size (fb_test_sse_server_get_streams (f.server), 0);
    }

  g_test_message ("%u kills in a%s firehose: %" G_GUINT64_FORMAT " lines checked, %" G_GUINT64_FORMAT
                  " shown again after a kill (at most %u at once; the oldest of them on screen %.3f s "
                  "before its kill), %.1f s",
                  f.n_kills, ntfy ? "n ntfy" : "", f.n_lines, f.dups, f.max_dups, f.max_unsaved_us / 1e6,
                  (g_get_monotonic_time () - started) / 1e6);
  g_test_message ("%s: seed %u, %u kills, %" G_GUINT64_FORMAT " messages (%" G_GUINT64_FORMAT
                  " lines), %" G_GUINT64_FORMAT " repeats (each printed before its kill and not yet saved)",
                  ntfy ? "ntfy" : "sse", seed, f.n_kills, f.last_printed, total_printed, f.dups);
  for (guint i = 0; i < f.errors->len; i++)
    g_test_message ("problem: %s", (char *) f.errors->pdata[i]);
  g_assert_cmpuint (f.errors->len, ==, 0);
  g_assert_cmpuint (total_printed, >, 0);
  if (f.loss != NULL)
    g_test_message ("problem: %s", f.loss);
  g_assert_null (f.loss);

  g_clear_pointer (&f.client, fb_listen_client_free);
  g_ptr_array_unref (f.pacers);
  g_clear_pointer (&f.server, fb_test_sse_server_free);
  g_clear_pointer (&f.ntfy, fb_fault_ntfy_free);
  fb_test_delete_tree (f.dir);
  g_free (f.state_path);
  g_free (f.dir);
  g_free (f.url);
  g_array_unref (f.printed);
  g_free (f.loss);
  g_string_free (f.expected, TRUE);
  g_ptr_array_unref (f.errors);
  g_rand_free (f.rand);
}

int
main (int   argc,
      char *argv[])
{
  guint kills = 12;
  gboolean ntfy = FALSE;

  g_test_init (&argc, &argv, NULL);
  fb_listen_client_silence_gio_debug ();

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--kills="))
        kills = atoi (argv[i] + strlen ("--kills="));
      else if (g_str_equal (argv[i], "--ntfy"))
        ntfy = TRUE;
    }

  g_test_add_data_func (ntfy ? "/fault/ntfy/kill-firehose" : "/fault/kill-firehose",
                        GUINT_TO_POINTER (kills << 1 | ntfy), test_kill_firehose);

  return g_test_run ();
}
