/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-soup-reader"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "fb-bench-util.h"

/*
 * The library limit: what libsoup alone costs. soup_session_send() and then
 * g_input_stream_read() in 64 KiB blocks, counting "\n\n" with memchr():
 * no SSE parsing, no main loop, nothing per event.
 *
 *   fb-bench-soup-reader URL N   → "events=… bytes=… ns=…" on stdout
 *
 * With --relay-async it writes the body to stdout as soon as it is read,
 * with g_input_stream_read_async() from a main loop as FbSseConnection
 * does: the latency floor of an asynchronous libsoup reader.
 *
 * (A pollable source on libsoup's body stream is no better here: without
 * G_SOURCE_CAN_RECURSE its nested child sources are blocked and unblocked at
 * every dispatch, ~9 eventfd writes per read on GLib 2.74, as many as
 * read_async costs; with it the source stays ready and the loop spins.)
 */

#define BLOCK (64 * 1024)

typedef struct
{
  GMainLoop      *loop;
  GInputStream   *stream;
  char           *buf;
  FbBenchCounter  counter;
  guint64         target;
  gboolean        failed;
} Relay;

static void
write_out (const char *buf,
           gsize       len)
{
  while (len > 0)
    {
      gssize n = write (STDOUT_FILENO, buf, len);

      if (n <= 0)
        return;
      buf += n;
      len -= n;
    }
}

/* Relays one block; FALSE when the stream is done. */
static gboolean
relay_block (Relay  *relay,
             gssize  n)
{
  if (n <= 0)
    {
      relay->failed = relay->counter.events < relay->target;
      g_main_loop_quit (relay->loop);
      return FALSE;
    }
  write_out (relay->buf, n);
  fb_bench_count_events (&relay->counter, relay->buf, n);
  if (relay->counter.events >= relay->target)
    {
      g_main_loop_quit (relay->loop);
      return FALSE;
    }

  return TRUE;
}

static void read_next (Relay *relay);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Relay *relay = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (relay_block (relay, n))
    read_next (relay);
}

static void
read_next (Relay *relay)
{
  g_input_stream_read_async (relay->stream, relay->buf, BLOCK, G_PRIORITY_DEFAULT, NULL, read_cb, relay);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Relay *relay = user_data;
  g_autoptr(GError) error = NULL;

  relay->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (relay->stream == NULL)
    {
      g_printerr ("fb-bench-soup-reader: %s\n", error->message);
      relay->failed = TRUE;
      g_main_loop_quit (relay->loop);
      return;
    }
  read_next (relay);
}

static int
relay_main (SoupSession *session,
            SoupMessage *message,
            guint64      target)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *buf = g_malloc (BLOCK);
  Relay relay = { loop, NULL, buf, { 0 }, target, FALSE };

  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, NULL, sent_cb, &relay);
  g_main_loop_run (loop);
  g_clear_object (&relay.stream);

  return relay.failed ? 1 : 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *buf = g_malloc (BLOCK);
  FbBenchCounter counter = { 0 };
  guint64 target, bytes = 0;
  gint64 start;
  gboolean relay = FALSE;

  if (argc == 4 && g_str_equal (argv[1], "--relay-async"))
    {
      relay = TRUE;
      argv++;
      argc--;
    }
  if (argc != 3)
    {
      g_printerr ("usage: fb-bench-soup-reader [--relay-async] URL N\n");
      return 2;
    }
  target = g_ascii_strtoull (argv[2], NULL, 10);

  start = fb_bench_now_ns ();
  session = g_object_new (SOUP_TYPE_SESSION, "timeout", 0, NULL);
  message = soup_message_new (SOUP_METHOD_GET, argv[1]);
  if (message == NULL)
    {
      g_printerr ("fb-bench-soup-reader: not a URL: %s\n", argv[1]);
      return 2;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "text/event-stream");
  if (relay)
    return relay_main (session, message, target);

  stream = soup_session_send (session, message, NULL, &error);
  if (stream == NULL)
    {
      g_printerr ("fb-bench-soup-reader: %s\n", error->message);
      return 1;
    }

  while (counter.events < target)
    {
      gssize n = g_input_stream_read (stream, buf, BLOCK, NULL, &error);

      if (n <= 0)
        break;
      bytes += n;
      fb_bench_count_events (&counter, buf, n);
    }

  printf ("events=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT " ns=%" G_GINT64_FORMAT "\n",
          counter.events, bytes, fb_bench_now_ns () - start);
  g_input_stream_close (stream, NULL, NULL);

  return counter.events >= target ? 0 : 1;
}
