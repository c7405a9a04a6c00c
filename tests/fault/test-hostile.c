/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "fb-listen-client.h"
#include "fb-sse-connection.h"
#include "fb-test-utils.h"

/*
 * Hostile streams against the real feedbell-listen (and, where the CLI
 * cannot show it, the FbSseConnection it is built on): a 100 MiB line, a
 * million tiny events, NUL bytes, invalid, overlong and surrogate UTF-8, BOMs
 * where they do not belong, `retry: 0` and absurd `retry:` values. Each
 * case checks the exact output lines, that each is valid JSON, and that
 * resources stay bounded.
 *
 * RUN_MS and BIG_RUN_MS only stop a run that hangs (ASan on a loaded machine
 * is slow); how long a run took is printed, never asserted.
 */

#define MIB                (1024 * 1024)
#define HUGE_LINE_BYTES    ((gsize) 100 * MIB)
#define HUGE_CHUNK         (256 * 1024)
#define HWM_LIMIT_KB       (64 * 1024)
#define N_TINY             1000000
#define TINY_PER_CHUNK     4096
#define RUN_MS             60000
#define BIG_RUN_MS         240000

typedef struct _Fixture Fixture;

typedef void (*Handler) (Fixture           *f,
                         SoupServerMessage *msg,
                         guint              index);

struct _Fixture
{
  FbTestSseServer *server;
  GPtrArray       *requests;      /* FbTestRequest, the server's */
  Handler          handler;
  gconstpointer    data;

  FbListenClient  *client;
  GPtrArray       *lines;         /* char *, unless only counted */
  const char      *count_only;    /* when set: every line must be this, and is only counted */
  guint64          n_lines;
  guint64          n_unexpected;
  guint64          hwm_kb;
  guint            hwm_id;
  gboolean         done;

  /* the paced writer: HUGE_CHUNK after HUGE_CHUNK, as the client takes them */
  FbTestStream    *paced;
  gsize            paced_left;
  guint64          paced_bytes;
  guint            paced_tiny_left;
  gulong           paced_id;
};

/* Server */

static void
server_cb (FbTestSseServer   *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  Fixture *f = user_data;

  f->handler (f, msg, index);
}

static FbTestStream *
fixture_stream (Fixture           *f,
                SoupServerMessage *msg)
{
  return fb_test_sse_server_stream (f->server, msg, "text/event-stream");
}

static Fixture *
fixture_new (Handler       handler,
             gconstpointer data)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->server = fb_test_sse_server_new (server_cb, f);
  f->requests = fb_test_sse_server_get_requests (f->server);
  f->lines = g_ptr_array_new_with_free_func (g_free);
  f->handler = handler;
  f->data = data;

  return f;
}

static void
fixture_free (Fixture *f)
{
  g_clear_handle_id (&f->hwm_id, g_source_remove);
  if (f->paced_id != 0)
    g_signal_handler_disconnect (fb_test_stream_get_message (f->paced), f->paced_id);
  g_clear_pointer (&f->client, fb_listen_client_free);
  g_clear_pointer (&f->server, fb_test_sse_server_free);
  g_ptr_array_unref (f->lines);
  g_free (f);
}

/* The client */

static void
line_cb (FbListenClient *client,
         const char     *line,
         gsize           len,
         gint64          read_at,
         gpointer        user_data)
{
  Fixture *f = user_data;

  f->n_lines++;
  if (f->count_only != NULL)
    {
      if (strcmp (line, f->count_only) != 0 && f->n_unexpected++ == 0)
        g_test_message ("unexpected line %" G_GUINT64_FORMAT ": %s", f->n_lines, line);
      return;
    }

  /* feedbell-listen escapes NUL: a raw one would cut the line short. */
  g_assert_cmpuint (strlen (line), ==, len);
  g_ptr_array_add (f->lines, g_strdup (line));
}

static void
done_cb (FbListenClient *client,
         gpointer        user_data)
{
  Fixture *f = user_data;

  f->done = TRUE;
}

static gboolean
hwm_cb (gpointer user_data)
{
  Fixture *f = user_data;

  if (!fb_listen_client_has_exited (f->client))
    f->hwm_kb = MAX (f->hwm_kb, fb_listen_client_read_vm_hwm_kb (f->client));

  return G_SOURCE_CONTINUE;
}

static void
fixture_start (Fixture    *f,
               const char *first_arg,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *arg = first_arg;
  va_list ap;

  va_start (ap, first_arg);
  for (; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, fb_test_sse_server_url (f->server, "/events"));
  g_ptr_array_add (args, NULL);

  f->client = fb_listen_client_spawn ((const char * const *) args->pdata, line_cb, done_cb, f, &error);
  g_assert_no_error (error);
  f->hwm_id = g_timeout_add (50, hwm_cb, f);
}

static gboolean
done_or_exited (gpointer user_data)
{
  Fixture *f = user_data;

  return f->done;
}

/* Waits for the client to exit by itself; returns its status. */
static int
fixture_wait (Fixture *f,
              guint    timeout_ms)
{
  if (!fb_test_wait_until (done_or_exited, f, timeout_ms))
    g_error ("feedbell-listen did not exit within %u ms; stderr: %s",
             timeout_ms, fb_listen_client_get_stderr (f->client));

  return fb_listen_client_get_status (f->client);
}

/* SIGTERM, which must flush and exit 0. */
static void
fixture_stop (Fixture *f)
{
  fb_listen_client_send_signal (f->client, SIGTERM);
  g_assert_cmpint (fixture_wait (f, RUN_MS), ==, 0);
}

typedef struct
{
  Fixture *f;
  guint    n;
} Count;

static gboolean
has_lines_cb (gpointer user_data)
{
  Count *c = user_data;

  return c->f->n_lines >= c->n || c->f->done;
}

static void
wait_lines (Fixture *f,
            guint    n,
            guint    timeout_ms)
{
  Count c = { f, n };

  if (!fb_test_wait_until (has_lines_cb, &c, timeout_ms))
    g_error ("only %" G_GUINT64_FORMAT " of %u lines within %u ms; stderr: %s",
             f->n_lines, n, timeout_ms, fb_listen_client_get_stderr (f->client));
  g_assert_cmpuint (f->n_lines, >=, n);
}

/* Every line is one JSON object with exactly type, data, lastEventId. */
static void
assert_json_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  g_assert_true (g_utf8_validate (line, -1, NULL));
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  g_assert_cmpuint (g_list_length (members), ==, 3);
  g_assert_cmpstr (g_list_nth_data (members, 0), ==, "type");
  g_assert_cmpstr (g_list_nth_data (members, 1), ==, "data");
  g_assert_cmpstr (g_list_nth_data (members, 2), ==, "lastEventId");
}

static void
assert_lines (Fixture            *f,
              const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < f->lines->len; i++)
    {
      assert_json_line (f->lines->pdata[i]);
      g_assert_cmpuint (i, <, n);
      g_assert_cmpstr (f->lines->pdata[i], ==, expected[i]);
    }
  g_assert_cmpuint (f->lines->len, ==, n);
}

/* Paced writing: the next chunk only once the last went out, so the server
 * holds at most a chunk and the client's memory is what is measured. */

static void
pace_next (Fixture *f)
{
  static char filler[HUGE_CHUNK];

  if (f->paced_left > 0)
    {
      gsize n = MIN (f->paced_left, sizeof filler);

      if (filler[0] == 0)
        memset (filler, 'x', sizeof filler);
      f->paced_left -= n;
      f->paced_bytes += n;
      fb_test_stream_write (f->paced, filler, n);
      return;
    }

  if (f->paced_tiny_left > 0)
    {
      static GString *chunk;
      guint n = MIN (f->paced_tiny_left, TINY_PER_CHUNK);

      if (chunk == NULL)
        {
          chunk = g_string_new (NULL);
          for (guint i = 0; i < TINY_PER_CHUNK; i++)
            g_string_append (chunk, "data: x\n\n");
        }
      f->paced_tiny_left -= n;
      fb_test_stream_write (f->paced, chunk->str, n * strlen ("data: x\n\n"));
      return;
    }

  g_signal_handler_disconnect (fb_test_stream_get_message (f->paced), f->paced_id);
  f->paced_id = 0;
  /* The end of the huge line, and an ordinary event after it. */
  if (f->data != NULL)
    fb_test_stream_write (f->paced, f->data, -1);
}

static void
paced_wrote_chunk_cb (SoupServerMessage *msg,
                      gpointer           user_data)
{
  pace_next (user_data);
}

static void
start_paced (Fixture           *f,
             SoupServerMessage *msg)
{
  f->paced = fixture_stream (f, msg);
  f->paced_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (paced_wrote_chunk_cb), f);
}

/* A 100 MiB line */

static void
huge_line_handler (Fixture           *f,
                   SoupServerMessage *msg,
                   guint              index)
{
  g_assert_cmpuint (index, ==, 0);
  start_paced (f, msg);
  f->paced_left = HUGE_LINE_BYTES;
  fb_test_stream_write (f->paced, "retry: 60000\ndata: ", -1);
}

static void
test_huge_line (void)
{
  static const char * const expected[] = {
    "{\"type\":\"message\",\"data\":\"after\",\"lastEventId\":\"1\"}",
    NULL
  };
  Fixture *f = fixture_new (huge_line_handler, "\n\nid: 1\ndata: after\n\n");
  gint64 start = g_get_monotonic_time ();

  fixture_start (f, NULL);
  wait_lines (f, 1, BIG_RUN_MS);
  /* Still running: its high-water mark covers the whole line. */
  f->hwm_kb = MAX (f->hwm_kb, fb_listen_client_read_vm_hwm_kb (f->client));
  fixture_stop (f);

  g_test_message ("100 MiB line: peak RSS (VmHWM) of feedbell-listen %" G_GUINT64_FORMAT
                  " KiB, %.2f s", f->hwm_kb, (g_get_monotonic_time () - start) / 1e6);
  /* All of it was sent before the event, which the client read after it. */
  g_assert_cmpuint (f->paced_bytes, ==, HUGE_LINE_BYTES);
  g_assert_cmpuint (f->paced_left, ==, 0);
  g_assert_cmpuint (f->hwm_kb, >, 0);
  g_assert_cmpuint (f->hwm_kb, <, HWM_LIMIT_KB);
  assert_lines (f, expected);
  /* Dropped, and said so. */
  g_assert_nonnull (strstr (fb_listen_client_get_stderr (f->client), "dropped an event larger than"));
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

/* A million tiny events */

static void
tiny_handler (Fixture           *f,
              SoupServerMessage *msg,
              guint              index)
{
  g_assert_cmpuint (index, ==, 0);
  start_paced (f, msg);
  f->paced_tiny_left = N_TINY;
  fb_test_stream_write (f->paced, "retry: 60000\n\n", -1);
}

static void
test_million_events (void)
{
  Fixture *f = fixture_new (tiny_handler, NULL);
  g_autofree char *count = g_strdup_printf ("%u", N_TINY);
  gint64 start = g_get_monotonic_time ();
  double seconds;

  f->count_only = "{\"type\":\"message\",\"data\":\"x\",\"lastEventId\":\"\"}";
  assert_json_line (f->count_only);
  fixture_start (f, "--count", count, NULL);
  g_assert_cmpint (fixture_wait (f, BIG_RUN_MS), ==, 0);
  seconds = (g_get_monotonic_time () - start) / 1e6;

  g_test_message ("a million events: %.2f s, peak RSS %" G_GUINT64_FORMAT " KiB (sampled)",
                  seconds, f->hwm_kb);
  g_assert_cmpuint (f->n_lines, ==, N_TINY);
  g_assert_cmpuint (f->n_unexpected, ==, 0);
  g_assert_cmpuint (fb_listen_client_get_torn_bytes (f->client), ==, 0);
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

/* Fixed streams: one stream, exact lines out */

typedef struct
{
  const char         *stream;
  gsize               stream_len;   /* it may hold NUL bytes */
  const char * const *expected;
} Corpus;

static void
corpus_handler (Fixture           *f,
                SoupServerMessage *msg,
                guint              index)
{
  const Corpus *corpus = f->data;
  FbTestStream *stream = fixture_stream (f, msg);

  /* A reconnection would only repeat the stream: make it a slow one. */
  fb_test_stream_write (stream, "retry: 60000\n", -1);
  fb_test_stream_write (stream, corpus->stream, corpus->stream_len);
}

static void
run_corpus (const Corpus *corpus)
{
  Fixture *f = fixture_new (corpus_handler, corpus);
  guint n = g_strv_length ((char **) corpus->expected);
  g_autofree char *count = g_strdup_printf ("%u", n);

  fixture_start (f, "--count", count, NULL);
  g_assert_cmpint (fixture_wait (f, RUN_MS), ==, 0);
  assert_lines (f, corpus->expected);
  g_assert_cmpuint (f->requests->len, ==, 1);

  fixture_free (f);
}

#define CORPUS(stream_literal, expected_array) \
  { stream_literal, sizeof stream_literal - 1, expected_array }

#define LINE(type, data, id) "{\"type\":\"" type "\",\"data\":\"" data "\",\"lastEventId\":\"" id "\"}"
#define FFFD "\xEF\xBF\xBD"

static void
test_nul (void)
{
  static const char * const expected[] = {
    LINE ("message", "a\\u0000b", "1"),
    LINE ("message", "\\u0000", "1"),
    LINE ("message", "\\u0000\\u0000z\\u0000", "1"),
    /* An id with a NUL is ignored (WHATWG): the last id stays. */
    LINE ("message", "c", "1"),
    LINE ("message", "x\\ny\\u0000", "5"),
    NULL
  };
  static const Corpus corpus = CORPUS (
    "id: 1\ndata: a\0b\n\n"
    "data: \0\n\n"
    "data: \0\0z\0\n\n"
    "id: 2\0x\ndata: c\n\n"
    "id: 5\ndata: x\ndata: y\0\n\n",
    expected);

  run_corpus (&corpus);
}

/* A NUL in the event type is kept (WHATWG): the type is "t\0y", printed with
 * the NUL escaped, and "message\0x" is not the default type. */
static void
test_nul_in_type (void)
{
  static const char * const expected[] = {
    LINE ("t\\u0000y", "d", ""),
    LINE ("message\\u0000x", "f", ""),
    LINE ("\\u0000", "g", ""),
    LINE ("message", "e", ""),
    NULL
  };
  static const Corpus corpus = CORPUS (
    "event: t\0y\ndata: d\n\n"
    "event: message\0x\ndata: f\n\n"
    "event: \0\ndata: g\n\n"
    "data: e\n\n",
    expected);

  run_corpus (&corpus);
}

static void
test_invalid_utf8 (void)
{
  static const char * const expected[] = {
    LINE ("message", FFFD FFFD, ""),
    LINE ("message", "a" FFFD "b", ""),
    LINE ("message", FFFD, ""),               /* C3 cut by the end of the line */
    LINE ("message", FFFD "!", ""),           /* E2 82: one maximal subpart */
    LINE ("message", FFFD, ""),               /* F0 9F 94 */
    LINE ("message", FFFD FFFD FFFD FFFD FFFD, ""),  /* an old 5-byte form */
    LINE ("message", "caf\xC3\xA9 " FFFD " ok", ""),
    LINE (FFFD, "x", ""),
    LINE ("message", "y", FFFD "7"),
    NULL
  };
  static const Corpus corpus = CORPUS (
    "data: \xFF\xFE\n\n"
    "data: a\x80" "b\n\n"
    "data: \xC3\n\n"
    "data: \xE2\x82!\n\n"
    "data: \xF0\x9F\x94\n\n"
    "data: \xF8\x88\x80\x80\x80\n\n"
    "data: caf\xC3\xA9 \xC3 ok\n\n"
    "event: \xFF\ndata: x\n\n"
    "id: \xFF" "7\ndata: y\n\n",
    expected);

  run_corpus (&corpus);
}

static void
test_overlong_utf8 (void)
{
  static const char * const expected[] = {
    LINE ("message", FFFD FFFD, ""),                 /* C0 AF: '/' */
    LINE ("message", FFFD FFFD, ""),                 /* C1 BF */
    LINE ("message", FFFD FFFD FFFD, ""),            /* E0 80 AF */
    LINE ("message", FFFD FFFD FFFD, ""),            /* E0 9F BF */
    LINE ("message", FFFD FFFD FFFD FFFD, ""),       /* F0 80 80 AF */
    LINE ("message", FFFD FFFD FFFD FFFD, ""),       /* F0 8F BF BF */
    LINE ("message", FFFD FFFD FFFD FFFD, ""),       /* F4 90 80 80: past U+10FFFF */
    LINE ("message", FFFD FFFD "\\\\", ""),          /* C1 9C: an overlong backslash */
    LINE ("message", FFFD FFFD "\\\"", ""),          /* C0 A2: an overlong quote */
    NULL
  };
  static const Corpus corpus = CORPUS (
    "data: \xC0\xAF\n\n"
    "data: \xC1\xBF\n\n"
    "data: \xE0\x80\xAF\n\n"
    "data: \xE0\x9F\xBF\n\n"
    "data: \xF0\x80\x80\xAF\n\n"
    "data: \xF0\x8F\xBF\xBF\n\n"
    "data: \xF4\x90\x80\x80\n\n"
    "data: \xC1\x9C\\\n\n"
    "data: \xC0\xA2\"\n\n",
    expected);

  run_corpus (&corpus);
}

static void
test_surrogates (void)
{
  static const char * const expected[] = {
    LINE ("message", FFFD FFFD FFFD, ""),                      /* ED A0 80: U+D800 */
    LINE ("message", FFFD FFFD FFFD, ""),                      /* ED BF BF: U+DFFF */
    LINE ("message", FFFD FFFD FFFD FFFD FFFD FFFD, ""),       /* a CESU-8 pair */
    LINE ("message", "\xED\x9F\xBF|\xEE\x80\x80", ""),         /* U+D7FF, U+E000: fine */
    LINE ("message", "ok", "a" FFFD FFFD FFFD "b"),
    NULL
  };
  static const Corpus corpus = CORPUS (
    "data: \xED\xA0\x80\n\n"
    "data: \xED\xBF\xBF\n\n"
    "data: \xED\xA0\xBD\xED\xB8\x80\n\n"
    "data: \xED\x9F\xBF|\xEE\x80\x80\n\n"
    "id: a\xED\xA0\x80" "b\ndata: ok\n\n",
    expected);

  run_corpus (&corpus);
}

/* BOMs: stripped once at the start of every stream, nowhere else. */

static void
bom_handler (Fixture           *f,
             SoupServerMessage *msg,
             guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg);

  if (index == 0)
    {
      fb_test_stream_write (stream,
                            "\xEF\xBB\xBFretry: 50\nid: 1\ndata: a\n\n"
                            /* Not at the start: "\uFEFFdata" is an unknown field. */
                            "\xEF\xBB\xBF" "data: b\n\n"
                            "data: c\xEF\xBB\xBF\n\n"
                            "data: \xEF\xBB\xBF" "d\n\n"
                            "id: 3\ndata: e\n\n", -1);
      fb_test_stream_end (stream);
      return;
    }

  /* A new stream: its BOM is leading again; a second one is not. */
  g_assert_cmpstr (fb_test_request_header (f->requests->pdata[index], "Last-Event-ID"), ==, "3");
  fb_test_stream_write (stream, "\xEF\xBB\xBFid: 4\ndata: f\n\n", -1);
  fb_test_stream_write (stream, "\xEF\xBB\xBF\xEF\xBB\xBF" "data: g\n\n", -1);
  fb_test_stream_write (stream, "id: 5\ndata: h\n\n", -1);
}

static void
test_bom (void)
{
  static const char * const expected[] = {
    LINE ("message", "a", "1"),
    LINE ("message", "c\xEF\xBB\xBF", "1"),
    LINE ("message", "\xEF\xBB\xBF" "d", "1"),
    LINE ("message", "e", "3"),
    LINE ("message", "f", "4"),
    LINE ("message", "h", "5"),
    NULL
  };
  Fixture *f = fixture_new (bom_handler, NULL);

  fixture_start (f, "--count", "6", NULL);
  g_assert_cmpint (fixture_wait (f, RUN_MS), ==, 0);
  assert_lines (f, expected);
  g_assert_cmpuint (f->requests->len, ==, 2);

  fixture_free (f);
}

/* retry: values */

/* Each request gets one event after its Last-Event-ID, preceded by the
 * retry field in f->data, and the stream ends at once. */
static void
closing_handler (Fixture           *f,
                 SoupServerMessage *msg,
                 guint              index)
{
  FbTestStream *stream = fixture_stream (f, msg);
  const char *last = fb_test_request_header (f->requests->pdata[index], "Last-Event-ID");
  guint64 id = (last ? g_ascii_strtoull (last, NULL, 10) : 0) + 1;

  fb_test_stream_printf (stream, "%s\nid: %" G_GUINT64_FORMAT "\ndata: r %" G_GUINT64_FORMAT "\n\n",
                         (const char *) f->data, id, id);
  fb_test_stream_end (stream);
}

static gboolean
never_cb (gpointer user_data)
{
  return FALSE;
}

/* Watches for @ms, for something that must not happen: a loaded machine can
 * only make it rarer, never make it happen. */
static void
observe (guint ms)
{
  fb_test_wait_until (never_cb, NULL, ms);
}

static void
assert_numbered_lines (Fixture *f)
{
  for (guint i = 0; i < f->lines->len; i++)
    {
      g_autofree char *expected = g_strdup_printf (LINE ("message", "r %u", "%u"), i + 1, i + 1);

      assert_json_line (f->lines->pdata[i]);
      g_assert_cmpstr (f->lines->pdata[i], ==, expected);
    }
}

static gint64
request_time (Fixture *f,
              guint    i)
{
  return fb_test_sse_server_get_request (f->server, i)->time_us;
}

static void
test_retry_zero_cli (void)
{
  Fixture *f = fixture_new (closing_handler, "retry: 0");
  gint64 second_gap;

  fixture_start (f, NULL);
  wait_lines (f, 3, RUN_MS);
  fixture_stop (f);

  /* At once after a stream that opened (retry: 0 honoured, which
   * /hostile/retry-zero-delays checks exactly), then the failures double
   * from 1 s: the third request at least 2 s after the second, however
   * fast the machine. A tight loop would be thousands. */
  second_gap = request_time (f, 2) - request_time (f, 1);
  g_test_message ("retry: 0, the server closing every stream: %.3f s to the 2nd request, "
                  "%.3f s to the 3rd", (request_time (f, 1) - request_time (f, 0)) / 1e6,
                  second_gap / 1e6);
  g_assert_cmpint (second_gap, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (f->lines->len, >=, 3);
  g_assert_cmpuint (f->requests->len, >=, f->lines->len);
  g_assert_cmpuint (f->requests->len, <=, f->lines->len + 1);
  assert_numbered_lines (f);

  fixture_free (f);
}

static void
test_retry_huge_cli (gconstpointer data)
{
  Fixture *f = fixture_new (closing_handler, data);

  fixture_start (f, NULL);
  wait_lines (f, 1, RUN_MS);
  observe (2000);
  /* Never sooner than asked, and no overflow into a short or negative delay. */
  g_assert_cmpuint (f->requests->len, ==, 1);
  fixture_stop (f);

  g_assert_cmpuint (f->lines->len, ==, 1);
  assert_numbered_lines (f);

  fixture_free (f);
}

/* The delays themselves, which the CLI does not show: the connection's
 * retry-at each time it waits to retry, without jitter. Each is known
 * between two bounds that hold however loaded the machine: retry-at less
 * the time the test saw it (the delay was scheduled before) and retry-at
 * less the time the failed stream's request reached the server (it was
 * scheduled after). */

typedef struct
{
  gint64 at_least_ms;
  gint64 at_most_ms;
} Delay;

typedef struct
{
  Fixture *f;
  GArray  *delays;  /* Delay */
  guint    n;
} Delays;

static void
notify_state_cb (FbSseConnection *conn,
                 GParamSpec      *pspec,
                 Delays          *d)
{
  gint64 retry_at = fb_sse_connection_get_retry_at (conn);
  Delay delay;

  if (fb_sse_connection_get_state (conn) != FB_SSE_STATE_WAITING_RETRY)
    return;

  delay.at_least_ms = (retry_at - g_get_monotonic_time ()) / 1000;
  delay.at_most_ms = (retry_at - request_time (d->f, d->f->requests->len - 1)) / 1000;
  g_array_append_val (d->delays, delay);
}

static gboolean
has_delays_cb (gpointer user_data)
{
  Delays *d = user_data;

  return d->delays->len >= d->n;
}

static double
no_jitter_cb (gpointer user_data)
{
  return 0.0;
}

/* The first @n delays an FbSseConnection waits against closing_handler. */
static GArray *
connection_delays (const char *retry_field,
                   guint       n)
{
  Fixture *f = fixture_new (closing_handler, retry_field);
  g_autofree char *url = fb_test_sse_server_url (f->server, "/events");
  g_autoptr(FbSseConnection) conn = fb_sse_connection_new (url);
  Delays d = { f, g_array_new (FALSE, FALSE, sizeof (Delay)), n };

  fb_sse_connection_set_random_func (conn, no_jitter_cb, NULL);
  g_signal_connect (conn, "notify::state", G_CALLBACK (notify_state_cb), &d);
  fb_sse_connection_start (conn);
  g_assert_true (fb_test_wait_until (has_delays_cb, &d, RUN_MS));
  fb_sse_connection_stop (conn);
  g_signal_handlers_disconnect_by_data (conn, &d);
  g_clear_object (&conn);
  fixture_free (f);

  return d.delays;
}

static void
assert_delay (GArray *delays,
              guint   i,
              gint64  expected_ms)
{
  Delay *delay = &g_array_index (delays, Delay, i);

  g_test_message ("wait %u: %" G_GINT64_FORMAT " ms expected, seen between %" G_GINT64_FORMAT
                  " and %" G_GINT64_FORMAT " ms", i + 1, expected_ms, delay->at_least_ms,
                  delay->at_most_ms);
  g_assert_cmpint (delay->at_least_ms, <=, expected_ms);
  g_assert_cmpint (delay->at_most_ms, >=, expected_ms);
}

static void
test_retry_zero_delays (void)
{
  g_autoptr(GArray) delays = connection_delays ("retry: 0", 2);

  /* At once after a stream that opened; consecutive failures double from
   * at least 1 s. */
  assert_delay (delays, 0, 0);
  assert_delay (delays, 1, 2000);
}

/* An absurd retry: believed up to an hour, never overflowing into less. */
static void
test_retry_huge_delays (gconstpointer data)
{
  g_autoptr(GArray) delays = connection_delays (data, 1);

  assert_delay (delays, 0, 3600 * 1000);
}

/* retry: values that are not digits only are ignored: the default stays. */
static void
test_retry_garbage_delays (void)
{
  g_autoptr(GArray) delays = connection_delays ("retry: -1\nretry: 1e3\nretry: 12a\n"
                                                "retry: 0x10\nretry: \xD9\xA1\xD9\xA2\n"
                                                "retry:  5\nretry: 5 ", 1);

  assert_delay (delays, 0, 3000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fb_listen_client_silence_gio_debug ();

  g_test_add_func ("/hostile/huge-line", test_huge_line);
  g_test_add_func ("/hostile/million-events", test_million_events);
  g_test_add_func ("/hostile/nul", test_nul);
  g_test_add_func ("/hostile/nul-in-type", test_nul_in_type);
  g_test_add_func ("/hostile/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/hostile/overlong-utf8", test_overlong_utf8);
  g_test_add_func ("/hostile/surrogates", test_surrogates);
  g_test_add_func ("/hostile/bom", test_bom);
  g_test_add_func ("/hostile/retry-zero", test_retry_zero_cli);
  g_test_add_func ("/hostile/retry-zero-delays", test_retry_zero_delays);
  g_test_add_data_func ("/hostile/retry-huge", "retry: 99999999999999", test_retry_huge_cli);
  g_test_add_data_func ("/hostile/retry-overflow", "retry: 999999999999999999999999999999",
                        test_retry_huge_cli);
  g_test_add_data_func ("/hostile/retry-huge-delay", "retry: 99999999999999", test_retry_huge_delays);
  g_test_add_data_func ("/hostile/retry-overflow-delay", "retry: 999999999999999999999999999999",
                        test_retry_huge_delays);
  /* 2^64 + 5: wrapping around would make it 5 ms. */
  g_test_add_data_func ("/hostile/retry-wrap-delay", "retry: 18446744073709551621",
                        test_retry_huge_delays);
  g_test_add_func ("/hostile/retry-garbage-delay", test_retry_garbage_delays);

  return g_test_run ();
}
