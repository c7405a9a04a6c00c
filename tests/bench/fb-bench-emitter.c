/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-emitter"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gio/gio.h>

/*
 * fb-bench-emitter: the server side of the benchmarks, on loopback only.
 *
 * It listens on 127.0.0.1:0 (one or more ports, printed on stdout), answers
 * any request with `200 text/event-stream` and `Connection: close`, and then
 * per connection:
 *  - sends --events N events of --size S bytes as fast as the socket takes
 *    them, from a pre-rendered buffer in large writes; or at --rate R per
 *    second, each event carrying its send time (`t=<CLOCK_MONOTONIC ns>`);
 *  - with --hold, stays open afterwards: a `: keep-alive` comment every
 *    --keepalive seconds, and bursts of timestamped events on request
 *    (`burst PORT-INDEX N` on stdin with --control);
 *  - with --wait-start, sends nothing after the response header until
 *    `start` on stdin: every connection then starts at once;
 *  - otherwise shuts its side down and waits for the client to close, so
 *    the time it reports (accept → client closed) covers the client reading
 *    everything.
 *
 * It logs on stdout, one line per fact, for the benchmark that drives it:
 *   port INDEX PORT / ready / accept INDEX CONN T / keepalive INDEX CONN T /
 *   burst-done INDEX CONN N T / done INDEX CONN events=… bytes=… keepalives=…
 *   start_ns=… sent_ns=… end_ns=…
 * and in words on stderr. It always stops by itself: after --connections
 * connections, after --lifetime seconds, or when its stdin (with --control)
 * closes.
 */

#define CHUNK_BYTES     (1024 * 1024)
#define REQUEST_MAX     (16 * 1024)
#define REQUEST_TIMEOUT 10
#define CLOSE_TIMEOUT   60

static const char response_header[] =
  "HTTP/1.1 200 OK\r\n"
  "Content-Type: text/event-stream\r\n"
  "Cache-Control: no-cache\r\n"
  "Connection: close\r\n"
  "\r\n";

static const char keepalive_comment[] = ": keep-alive\n\n";

typedef struct
{
  guint    index;
  guint    id;
  GSocket *socket;
  guint64  pending_burst;
  gint64   start_ns;
  guint64  events;
  guint64  bytes;
  guint64  keepalives;
} Conn;

static struct
{
  /* options */
  int       n_ports;
  gint64    n_events;
  int       size;
  int       rate;
  int       keepalive;
  gboolean  hold;
  int       connections;
  int       lifetime;
  gboolean  control;
  gboolean  wait_start;

  GMainLoop *loop;
  GMutex     mutex;   /* everything below, and stdout */
  GCond      cond;
  GPtrArray *conns;
  guint      n_started;
  guint      n_active;
  guint      n_finished;
  gboolean   quitting;
  gboolean   started;
  char      *chunk;   /* pre-rendered events, CHUNK_BYTES or one event */
  gsize      chunk_events;
} emitter = {
  .n_ports = 1,
  .size = 64,
  .lifetime = 600,
};

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void G_GNUC_PRINTF (1, 2)
say (const char *format,
     ...)
{
  va_list args;

  g_mutex_lock (&emitter.mutex);
  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
  g_mutex_unlock (&emitter.mutex);
}

static gboolean
is_quitting (void)
{
  gboolean quitting;

  g_mutex_lock (&emitter.mutex);
  quitting = emitter.quitting;
  g_mutex_unlock (&emitter.mutex);

  return quitting;
}

/* One event of exactly @size bytes (at least what the fields need). */
static gsize
render_event (char   *out,
              int     size,
              gint64  sent_ns,
              guint64 seq)
{
  int n;

  if (sent_ns >= 0)
    n = g_snprintf (out, size + 64, "data: t=%" G_GINT64_FORMAT " seq=%" G_GUINT64_FORMAT " ",
                    sent_ns, seq);
  else
    n = g_snprintf (out, size + 64, "data: ");
  for (; n < size - 2; n++)
    out[n] = 'a' + (n % 26);
  out[n++] = '\n';
  out[n++] = '\n';

  return n;
}

static void
prerender (void)
{
  gsize k = MAX (1, CHUNK_BYTES / emitter.size);

  emitter.chunk = g_malloc ((gsize) (emitter.size + 64) * k);
  emitter.chunk_events = k;
  for (gsize i = 0; i < k; i++)
    render_event (emitter.chunk + i * emitter.size, emitter.size, -1, 0);
}

static gboolean
send_all (Conn       *conn,
          const char *buf,
          gsize       len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (conn->socket, buf, len, NULL, NULL);

      if (n <= 0)
        return FALSE;
      buf += n;
      len -= n;
      conn->bytes += n;
    }

  return TRUE;
}

static gboolean
read_request (Conn *conn)
{
  g_autofree char *buf = g_malloc (REQUEST_MAX + 1);
  gsize len = 0;

  g_socket_set_timeout (conn->socket, REQUEST_TIMEOUT);
  while (len < REQUEST_MAX)
    {
      gssize n = g_socket_receive (conn->socket, buf + len, REQUEST_MAX - len, NULL, NULL);

      if (n <= 0)
        return FALSE;
      len += n;
      buf[len] = '\0';
      if (strstr (buf, "\r\n\r\n") != NULL)
        {
          g_socket_set_timeout (conn->socket, 0);
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
send_fast (Conn   *conn,
           gint64  n_events)
{
  while (n_events > 0 && !is_quitting ())
    {
      gsize k = MIN ((gint64) emitter.chunk_events, n_events);

      if (!send_all (conn, emitter.chunk, k * emitter.size))
        return FALSE;
      conn->events += k;
      n_events -= k;
    }

  return TRUE;
}

static gboolean
send_paced (Conn   *conn,
            gint64  n_events)
{
  g_autofree char *event = g_malloc (emitter.size + 128);
  gint64 start = now_ns ();
  gint64 period = G_GINT64_CONSTANT (1000000000) / emitter.rate;

  for (gint64 i = 0; i < n_events && !is_quitting (); i++)
    {
      gint64 at = start + i * period;
      struct timespec ts = { at / 1000000000, at % 1000000000 };
      gsize len;

      while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
      len = render_event (event, emitter.size, now_ns (), conn->events);
      if (!send_all (conn, event, len))
        return FALSE;
      conn->events++;
    }

  return TRUE;
}

static gboolean
send_burst (Conn    *conn,
            guint64  n_events)
{
  g_autofree char *buf = g_malloc ((emitter.size + 64) * n_events + 64);
  gint64 t = now_ns ();
  gsize len = 0;

  for (guint64 i = 0; i < n_events; i++)
    len += render_event (buf + len, emitter.size, t, conn->events + i);
  if (!send_all (conn, buf, len))
    return FALSE;
  conn->events += n_events;
  say ("burst-done %u %u %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT, conn->index, conn->id,
       n_events, now_ns ());

  return TRUE;
}

/* Stays open: keep-alives on schedule, bursts on request, until quit. */
static void
hold (Conn *conn)
{
  gint64 period_us = (gint64) emitter.keepalive * G_USEC_PER_SEC;
  gint64 next = g_get_monotonic_time () + period_us;

  for (;;)
    {
      guint64 burst = 0;
      gboolean quitting;

      g_mutex_lock (&emitter.mutex);
      while (!emitter.quitting && conn->pending_burst == 0 &&
             (period_us == 0 || g_get_monotonic_time () < next))
        {
          if (period_us == 0)
            g_cond_wait (&emitter.cond, &emitter.mutex);
          else
            g_cond_wait_until (&emitter.cond, &emitter.mutex, next);
        }
      quitting = emitter.quitting;
      burst = conn->pending_burst;
      conn->pending_burst = 0;
      g_mutex_unlock (&emitter.mutex);

      if (quitting)
        return;
      if (burst > 0 && !send_burst (conn, burst))
        return;
      if (period_us > 0 && g_get_monotonic_time () >= next)
        {
          if (!send_all (conn, keepalive_comment, sizeof keepalive_comment - 1))
            return;
          conn->keepalives++;
          say ("keepalive %u %u %" G_GINT64_FORMAT, conn->index, conn->id, now_ns ());
          next += period_us;
        }
    }
}

static gboolean
wait_for_start (void)
{
  gboolean quitting;

  g_mutex_lock (&emitter.mutex);
  while (!emitter.started && !emitter.quitting)
    g_cond_wait (&emitter.cond, &emitter.mutex);
  quitting = emitter.quitting;
  g_mutex_unlock (&emitter.mutex);

  return !quitting;
}

/* Our side is done: let the client read the rest and close its side. */
static void
wait_client_close (Conn *conn)
{
  char buf[4096];
  gint64 deadline = g_get_monotonic_time () + CLOSE_TIMEOUT * G_USEC_PER_SEC;

  g_socket_shutdown (conn->socket, FALSE, TRUE, NULL);
  g_socket_set_timeout (conn->socket, 1);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (conn->socket, buf, sizeof buf, NULL, &error);

      if (n > 0)
        continue;
      if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
          is_quitting () || g_get_monotonic_time () > deadline)
        return;
    }
}

static gboolean
finished_cb (gpointer user_data)
{
  g_mutex_lock (&emitter.mutex);
  emitter.n_active--;
  emitter.n_finished++;
  if ((emitter.connections > 0 && emitter.n_finished >= (guint) emitter.connections) ||
      (emitter.quitting && emitter.n_active == 0))
    g_main_loop_quit (emitter.loop);
  g_mutex_unlock (&emitter.mutex);

  return G_SOURCE_REMOVE;
}

static gpointer
conn_thread (gpointer user_data)
{
  Conn *conn = user_data;
  gboolean ok;
  gint64 sent_ns, end_ns;

  conn->start_ns = now_ns ();
  ok = read_request (conn) && send_all (conn, response_header, sizeof response_header - 1);
  conn->bytes = 0;
  if (ok)
    {
      say ("accept %u %u %" G_GINT64_FORMAT, conn->index, conn->id, conn->start_ns);
      if (emitter.wait_start)
        ok = wait_for_start ();
      if (ok && emitter.rate > 0)
        ok = send_paced (conn, emitter.n_events);
      else if (ok)
        ok = send_fast (conn, emitter.n_events);
    }
  sent_ns = now_ns ();
  if (ok && emitter.hold)
    hold (conn);
  else if (ok)
    wait_client_close (conn);
  end_ns = now_ns ();

  g_socket_close (conn->socket, NULL);
  say ("done %u %u events=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT
       " keepalives=%" G_GUINT64_FORMAT " start_ns=%" G_GINT64_FORMAT " sent_ns=%" G_GINT64_FORMAT
       " end_ns=%" G_GINT64_FORMAT,
       conn->index, conn->id, conn->events, conn->bytes, conn->keepalives,
       conn->start_ns, sent_ns, end_ns);
  g_printerr ("fb-bench-emitter: connection %u on port index %u: %" G_GUINT64_FORMAT " events of %d B, "
              "%" G_GUINT64_FORMAT " B of body, %" G_GUINT64_FORMAT " keep-alives, %.3f s open\n",
              conn->id, conn->index, conn->events, emitter.size, conn->bytes, conn->keepalives,
              (end_ns - conn->start_ns) / 1e9);

  g_idle_add (finished_cb, NULL);
  return NULL;
}

static gboolean
accept_cb (GSocket      *listener,
           GIOCondition  condition,
           gpointer      user_data)
{
  guint index = GPOINTER_TO_UINT (user_data);
  GSocket *socket = g_socket_accept (listener, NULL, NULL);
  Conn *conn;

  if (socket == NULL)
    return G_SOURCE_CONTINUE;

  g_mutex_lock (&emitter.mutex);
  if (emitter.quitting ||
      (emitter.connections > 0 && emitter.n_started >= (guint) emitter.connections))
    {
      g_mutex_unlock (&emitter.mutex);
      g_socket_close (socket, NULL);
      g_object_unref (socket);
      return G_SOURCE_CONTINUE;
    }
  conn = g_new0 (Conn, 1);
  conn->index = index;
  conn->id = ++emitter.n_started;
  conn->socket = socket;
  g_socket_set_blocking (socket, TRUE);
  g_ptr_array_add (emitter.conns, conn);
  emitter.n_active++;
  g_mutex_unlock (&emitter.mutex);

  g_thread_unref (g_thread_new ("conn", conn_thread, conn));
  return G_SOURCE_CONTINUE;
}

static GSocket *
listen_loopback (GError **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);

  return g_steal_pointer (&socket);
}

static guint
socket_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

static void
quit_all (void)
{
  g_mutex_lock (&emitter.mutex);
  emitter.quitting = TRUE;
  g_cond_broadcast (&emitter.cond);
  if (emitter.n_active == 0)
    g_main_loop_quit (emitter.loop);
  g_mutex_unlock (&emitter.mutex);
}

static gboolean
quit_cb (gpointer user_data)
{
  quit_all ();
  return G_SOURCE_REMOVE;
}

static void
request_burst (guint   index,
               guint64 n_events)
{
  g_mutex_lock (&emitter.mutex);
  for (guint i = 0; i < emitter.conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (emitter.conns, i);

      if (conn->index == index)
        conn->pending_burst += n_events;
    }
  g_cond_broadcast (&emitter.cond);
  g_mutex_unlock (&emitter.mutex);
}

static void
start_all (void)
{
  g_mutex_lock (&emitter.mutex);
  emitter.started = TRUE;
  g_cond_broadcast (&emitter.cond);
  g_mutex_unlock (&emitter.mutex);
}

/* Commands on stdin: "burst INDEX N", "start", "quit". End of input means quit. */
static gpointer
control_thread (gpointer user_data)
{
  char line[256];

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      guint index;
      guint64 n;

      if (sscanf (line, "burst %u %" G_GUINT64_FORMAT, &index, &n) == 2)
        request_burst (index, n);
      else if (g_str_has_prefix (line, "start"))
        start_all ();
      else if (g_str_has_prefix (line, "quit"))
        break;
      else
        g_printerr ("fb-bench-emitter: unknown command: %s", line);
    }

  g_idle_add (quit_cb, NULL);
  return NULL;
}

static gboolean
lifetime_cb (gpointer user_data)
{
  g_printerr ("fb-bench-emitter: lifetime of %d s is over, exiting\n", emitter.lifetime);
  say ("lifetime-over");
  exit (3);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "ports", 0, 0, G_OPTION_ARG_INT, &emitter.n_ports, "Listen on N loopback ports", "N" },
    { "events", 'n', 0, G_OPTION_ARG_INT64, &emitter.n_events, "Events per connection, sent at once", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &emitter.size, "Bytes per event, framing included", "S" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &emitter.rate, "Events per second, timestamped (0: as fast as possible)", "R" },
    { "keepalive", 'k', 0, G_OPTION_ARG_INT, &emitter.keepalive, "Keep-alive comment period while held open", "S" },
    { "hold", 0, 0, G_OPTION_ARG_NONE, &emitter.hold, "Keep streams open after the events", NULL },
    { "connections", 'c', 0, G_OPTION_ARG_INT, &emitter.connections, "Exit after N connections ended", "N" },
    { "lifetime", 0, 0, G_OPTION_ARG_INT, &emitter.lifetime, "Exit after S seconds in any case", "S" },
    { "control", 0, 0, G_OPTION_ARG_NONE, &emitter.control, "Read commands on stdin; exit at its end", NULL },
    { "wait-start", 0, 0, G_OPTION_ARG_NONE, &emitter.wait_start, "Send events only after `start` on stdin", NULL },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("— a loopback Server-Sent Events source for benchmarks");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fb-bench-emitter: %s\n", error->message);
      return 2;
    }
  if (emitter.n_ports < 1 || emitter.n_ports > 1000 || emitter.size < 8 ||
      emitter.size > 16 * 1024 * 1024 || emitter.n_events < 0 || emitter.rate < 0 ||
      emitter.keepalive < 0 || emitter.lifetime < 1 ||
      (emitter.rate > 0 && emitter.size < 48))
    {
      g_printerr ("fb-bench-emitter: an option is out of range (timestamped events need --size ≥ 48)\n");
      return 2;
    }

  g_mutex_init (&emitter.mutex);
  g_cond_init (&emitter.cond);
  emitter.conns = g_ptr_array_new ();
  emitter.loop = g_main_loop_new (NULL, FALSE);
  prerender ();

  for (int i = 0; i < emitter.n_ports; i++)
    {
      GSocket *listener = listen_loopback (&error);
      GSource *source;

      if (listener == NULL)
        {
          g_printerr ("fb-bench-emitter: %s\n", error->message);
          return 1;
        }
      source = g_socket_create_source (listener, G_IO_IN, NULL);
      g_source_set_callback (source, G_SOURCE_FUNC (accept_cb), GUINT_TO_POINTER (i), NULL);
      g_source_attach (source, NULL);
      g_source_unref (source);
      say ("port %d %u", i, socket_port (listener));
    }
  say ("ready");

  g_timeout_add_seconds (emitter.lifetime, lifetime_cb, NULL);
  if (emitter.control)
    g_thread_unref (g_thread_new ("control", control_thread, NULL));

  g_main_loop_run (emitter.loop);

  return 0;
}
