/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* memmem */
#include "config.h"

#include "fb-fault-proxy.h"

#include "fb-fault-server.h"

#include <string.h>
#include <sys/socket.h>

#define BLOCK  (16 * 1024)

/*
 * Each connection is a small state machine driven by four kinds of
 * asynchronous operation (read client, read upstream, write client, write
 * upstream) plus the trickle timer. Every operation in flight holds a
 * reference; ending a connection cancels them all, and the sockets are
 * closed when the last reference goes, so no callback ever sees a closed
 * socket or freed memory.
 */

struct _FbFaultProxy
{
  GSocketService    *service;
  guint16            port;
  guint16            upstream_port;
  GRand             *rand;
  FbFaultProxyHooks  hooks;
  gpointer           user_data;
  GHashTable        *conns;        /* FbFaultConn, alive */
  guint              next_id;
};

struct _FbFaultConn
{
  gint               ref_count;
  FbFaultProxy      *proxy;
  guint              id;
  GSocketConnection *down;         /* the client's connection */
  GSocketConnection *up;
  GCancellable      *cancellable;
  GByteArray        *to_down;      /* read from upstream, not yet forwarded */
  GByteArray        *to_up;
  GBytes            *writing_down;
  GBytes            *writing_up;
  guint8            *down_buf;
  guint8            *up_buf;
  gboolean           up_eof;
  gboolean           closed;
  gboolean           cut_after_write;
  FbFaultFlow        flow;
  FbFaultCut         cut;
  guint              trickle_id;
  gint64             trickle_until;
  gint64             accepted_at;
  gint64             ended_at;
  gint64             last_forward_at;
  gint64             retry_forwarded_at;
  char               tail[sizeof FB_FAULT_SERVER_RETRY_LINE];
  gsize              tail_len;
  guint16            upstream_port;
  gpointer           data;
};

static FbFaultConn *
conn_ref (FbFaultConn *conn)
{
  conn->ref_count++;
  return conn;
}

static void
conn_unref (FbFaultConn *conn)
{
  if (--conn->ref_count > 0)
    return;

  g_assert (conn->closed);
  if (conn->down != NULL)
    g_io_stream_close (G_IO_STREAM (conn->down), NULL, NULL);
  if (conn->up != NULL)
    g_io_stream_close (G_IO_STREAM (conn->up), NULL, NULL);
  g_clear_object (&conn->down);
  g_clear_object (&conn->up);
  g_clear_object (&conn->cancellable);
  g_byte_array_unref (conn->to_down);
  g_byte_array_unref (conn->to_up);
  g_clear_pointer (&conn->writing_down, g_bytes_unref);
  g_clear_pointer (&conn->writing_up, g_bytes_unref);
  g_free (conn->down_buf);
  g_free (conn->up_buf);
  g_free (conn);
}

static GSocket *
down_socket (FbFaultConn *conn)
{
  return g_socket_connection_get_socket (conn->down);
}

/* Ends the connection: @how says which way. Resets are real ones (SO_LINGER
 * 0: RST instead of FIN, unsent data dropped). */
static void
conn_end (FbFaultConn *conn,
          FbFaultEnd   how)
{
  FbFaultProxy *proxy = conn->proxy;

  if (conn->closed)
    return;

  conn->closed = TRUE;
  conn->ended_at = g_get_monotonic_time ();
  g_clear_handle_id (&conn->trickle_id, g_source_remove);

  switch (how)
    {
    case FB_FAULT_END_REFUSED:
    case FB_FAULT_END_RESET:
    case FB_FAULT_END_CUT:
      if (how != FB_FAULT_END_CUT || conn->cut == FB_FAULT_CUT_RESET)
        {
          struct linger linger = { .l_onoff = 1, .l_linger = 0 };

          setsockopt (g_socket_get_fd (down_socket (conn)), SOL_SOCKET, SO_LINGER,
                      &linger, sizeof linger);
        }
      else
        {
          g_socket_shutdown (down_socket (conn), FALSE, TRUE, NULL);
        }
      break;

    case FB_FAULT_END_UPSTREAM:
      g_socket_shutdown (down_socket (conn), FALSE, TRUE, NULL);
      break;

    case FB_FAULT_END_CLIENT:
      break;

    default:
      g_assert_not_reached ();
    }

  g_cancellable_cancel (conn->cancellable);
  g_hash_table_remove (proxy->conns, conn);
  if (proxy->hooks.ended != NULL)
    proxy->hooks.ended (conn, how, proxy->user_data);
  conn_unref (conn);
}

static void
note_forwarded (FbFaultConn  *conn,
                const guint8 *data,
                gsize         len)
{
  const gsize line_len = strlen (FB_FAULT_SERVER_RETRY_LINE);
  g_autoptr(GString) window = NULL;

  if (conn->retry_forwarded_at != 0)
    return;

  /* The retry line may straddle two writes (a trickle writes bytes singly). */
  window = g_string_new_len (conn->tail, conn->tail_len);
  g_string_append_len (window, (const char *) data, len);
  if (memmem (window->str, window->len, FB_FAULT_SERVER_RETRY_LINE, line_len) != NULL)
    {
      conn->retry_forwarded_at = g_get_monotonic_time ();
      if (conn->proxy->hooks.retry_forwarded != NULL)
        conn->proxy->hooks.retry_forwarded (conn, conn->proxy->user_data);
      return;
    }

  conn->tail_len = MIN (window->len, line_len - 1);
  memcpy (conn->tail, window->str + window->len - conn->tail_len, conn->tail_len);
}

/* Where a cut goes in @data, or -1 when no event starts in it. An event
 * starts with its id line or, from ntfy (no `id:`), its data line. */
static gssize
cut_position (FbFaultConn  *conn,
              const guint8 *data,
              gsize         len)
{
  const guint8 *start;
  const guint8 *end;
  gsize from, to;

  if (data == NULL || len == 0)
    return -1;

  start = memmem (data, len, "id: ", 4);
  if (start == NULL)
    start = memmem (data, len, "data: ", 6);
  if (start == NULL)
    return -1;

  end = memmem (start, len - (start - data), "\n\n", 2);
  end = end ? end + 2 : data + len;
  from = start - data;
  to = end - data;
  if (to - from < 3)
    return -1;

  if (conn->cut == FB_FAULT_CUT_RESET)
    return g_rand_int_range (conn->proxy->rand, from + 1, to);

  /* Half a line: at least one byte of it, and not its newline. */
  for (guint tries = 0; tries < 64; tries++)
    {
      gsize pos = g_rand_int_range (conn->proxy->rand, from + 1, to - 1);

      if (data[pos - 1] != '\n' && data[pos] != '\n')
        return pos;
    }

  return from + 2;
}

static void pump_down (FbFaultConn *conn);
static void pump_up   (FbFaultConn *conn);

static void
down_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbFaultConn *conn = user_data;
  g_autoptr(GBytes) bytes = g_steal_pointer (&conn->writing_down);

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  if (conn->closed)
    {
      conn_unref (conn);
      return;
    }

  if (error != NULL)
    {
      conn_end (conn, FB_FAULT_END_CLIENT);
      conn_unref (conn);
      return;
    }

  note_forwarded (conn, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (conn->cut_after_write)
    conn_end (conn, FB_FAULT_END_CUT);
  else
    pump_down (conn);
  conn_unref (conn);
}

static void
write_down (FbFaultConn *conn,
            gsize        len)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn->down));

  g_assert (conn->writing_down == NULL && len > 0 && len <= conn->to_down->len);

  /* When the write starts: the client cannot have these bytes before. */
  conn->last_forward_at = g_get_monotonic_time ();
  conn->writing_down = g_bytes_new (conn->to_down->data, len);
  g_byte_array_remove_range (conn->to_down, 0, len);
  g_output_stream_write_all_async (out,
                                   g_bytes_get_data (conn->writing_down, NULL), len,
                                   G_PRIORITY_DEFAULT, conn->cancellable,
                                   down_written_cb, conn_ref (conn));
}

static void
pump_down (FbFaultConn *conn)
{
  gsize len = conn->to_down->len;

  if (conn->closed || conn->writing_down != NULL || conn->flow != FB_FAULT_FLOW_PASS)
    return;

  if (len == 0)
    {
      if (conn->up_eof)
        conn_end (conn, FB_FAULT_END_UPSTREAM);
      return;
    }

  if (conn->cut != FB_FAULT_CUT_NONE)
    {
      gssize pos = cut_position (conn, conn->to_down->data, len);

      if (pos >= 0)
        {
          conn->cut_after_write = TRUE;
          /* Whatever came after the cut is lost with the connection. */
          g_byte_array_set_size (conn->to_down, pos);
          len = pos;
        }
    }

  write_down (conn, len);
}

static gboolean
trickle_cb (gpointer user_data)
{
  FbFaultConn *conn = user_data;

  if (g_get_monotonic_time () >= conn->trickle_until)
    {
      conn->trickle_id = 0;
      conn->flow = FB_FAULT_FLOW_PASS;
      pump_down (conn);
      return G_SOURCE_REMOVE;
    }

  if (conn->writing_down == NULL && conn->to_down->len > 0)
    write_down (conn, 1);

  return G_SOURCE_CONTINUE;
}

static void read_up (FbFaultConn *conn);

static void
up_read_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbFaultConn *conn = user_data;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (!conn->closed)
    {
      if (n > 0)
        {
          g_byte_array_append (conn->to_down, conn->up_buf, n);
          pump_down (conn);
          read_up (conn);
        }
      else
        {
          /* The server closed or reset: what was read still goes through. */
          conn->up_eof = TRUE;
          pump_down (conn);
        }
    }
  conn_unref (conn);
}

static void
read_up (FbFaultConn *conn)
{
  if (conn->closed)
    return;

  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->up)),
                             conn->up_buf, BLOCK, G_PRIORITY_DEFAULT, conn->cancellable,
                             up_read_cb, conn_ref (conn));
}

static void
up_written_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbFaultConn *conn = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  g_clear_pointer (&conn->writing_up, g_bytes_unref);
  if (!conn->closed)
    {
      /* A write error upstream shows as its read ending too. */
      if (error == NULL)
        pump_up (conn);
    }
  conn_unref (conn);
}

static void
pump_up (FbFaultConn *conn)
{
  GOutputStream *out;

  if (conn->closed || conn->up == NULL || conn->writing_up != NULL || conn->to_up->len == 0)
    return;

  out = g_io_stream_get_output_stream (G_IO_STREAM (conn->up));
  conn->writing_up = g_bytes_new (conn->to_up->data, conn->to_up->len);
  g_byte_array_set_size (conn->to_up, 0);
  g_output_stream_write_all_async (out,
                                   g_bytes_get_data (conn->writing_up, NULL),
                                   g_bytes_get_size (conn->writing_up),
                                   G_PRIORITY_DEFAULT, conn->cancellable,
                                   up_written_cb, conn_ref (conn));
}

static void read_down (FbFaultConn *conn);

static void
down_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbFaultConn *conn = user_data;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (!conn->closed)
    {
      if (n > 0)
        {
          g_byte_array_append (conn->to_up, conn->down_buf, n);
          pump_up (conn);
          read_down (conn);
        }
      else
        {
          conn_end (conn, FB_FAULT_END_CLIENT);
        }
    }
  conn_unref (conn);
}

static void
read_down (FbFaultConn *conn)
{
  if (conn->closed)
    return;

  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->down)),
                             conn->down_buf, BLOCK, G_PRIORITY_DEFAULT, conn->cancellable,
                             down_read_cb, conn_ref (conn));
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  FbFaultConn *conn = user_data;
  GSocketConnection *up;

  up = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (conn->closed)
    {
      g_clear_object (&up);
      conn_unref (conn);
      return;
    }

  if (up == NULL)
    {
      conn_end (conn, FB_FAULT_END_REFUSED);
      conn_unref (conn);
      return;
    }

  conn->up = up;
  local = g_socket_connection_get_local_address (up, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (local))
    conn->upstream_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  if (conn->proxy->hooks.upstream_ready != NULL)
    conn->proxy->hooks.upstream_ready (conn, conn->proxy->user_data);

  read_up (conn);
  pump_up (conn);
  conn_unref (conn);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  FbFaultProxy *self = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, self->upstream_port);
  FbFaultConn *conn = g_new0 (FbFaultConn, 1);

  g_socket_client_set_enable_proxy (client, FALSE);
  conn->ref_count = 1;
  conn->proxy = self;
  conn->id = ++self->next_id;
  conn->down = g_object_ref (connection);
  conn->cancellable = g_cancellable_new ();
  conn->to_down = g_byte_array_new ();
  conn->to_up = g_byte_array_new ();
  conn->down_buf = g_malloc (BLOCK);
  conn->up_buf = g_malloc (BLOCK);
  conn->accepted_at = g_get_monotonic_time ();
  g_hash_table_add (self->conns, conn);

  if (self->hooks.accepted != NULL)
    self->hooks.accepted (conn, self->user_data);

  read_down (conn);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), conn->cancellable,
                                 connected_cb, conn_ref (conn));

  return TRUE;
}

FbFaultProxy *
fb_fault_proxy_new (guint16                  upstream_port,
                    guint32                  seed,
                    const FbFaultProxyHooks *hooks,
                    gpointer                 user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  FbFaultProxy *self = g_new0 (FbFaultProxy, 1);

  self->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->upstream_port = upstream_port;
  self->rand = g_rand_new_with_seed (seed);
  if (hooks != NULL)
    self->hooks = *hooks;
  self->user_data = user_data;
  self->conns = g_hash_table_new (NULL, NULL);
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);

  return self;
}

void
fb_fault_proxy_free (FbFaultProxy *self)
{
  g_autoptr(GList) conns = NULL;

  if (self == NULL)
    return;

  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_signal_handlers_disconnect_by_data (self->service, self);
  self->hooks = (FbFaultProxyHooks) { NULL };

  /* Closed connections may outlive the proxy until their cancelled
   * operations return; they never look at it again. */
  conns = g_hash_table_get_keys (self->conns);
  for (GList *l = conns; l != NULL; l = l->next)
    conn_end (l->data, FB_FAULT_END_RESET);
  g_hash_table_unref (self->conns);
  g_clear_object (&self->service);
  g_rand_free (self->rand);
  g_free (self);
}

guint16
fb_fault_proxy_get_port (FbFaultProxy *self)
{
  return self->port;
}

guint
fb_fault_proxy_get_n_conns (FbFaultProxy *self)
{
  return g_hash_table_size (self->conns);
}

guint
fb_fault_conn_get_id (FbFaultConn *conn)
{
  return conn->id;
}

gint64
fb_fault_conn_get_accepted_at (FbFaultConn *conn)
{
  return conn->accepted_at;
}

gint64
fb_fault_conn_get_ended_at (FbFaultConn *conn)
{
  return conn->ended_at;
}

guint16
fb_fault_conn_get_upstream_port (FbFaultConn *conn)
{
  return conn->upstream_port;
}

gint64
fb_fault_conn_get_last_forward_at (FbFaultConn *conn)
{
  return conn->last_forward_at;
}

gint64
fb_fault_conn_get_retry_forwarded_at (FbFaultConn *conn)
{
  return conn->retry_forwarded_at;
}

FbFaultFlow
fb_fault_conn_get_flow (FbFaultConn *conn)
{
  return conn->flow;
}

FbFaultCut
fb_fault_conn_get_cut (FbFaultConn *conn)
{
  return conn->cut;
}

gboolean
fb_fault_conn_is_closed (FbFaultConn *conn)
{
  return conn->closed;
}

gpointer
fb_fault_conn_get_data (FbFaultConn *conn)
{
  return conn->data;
}

void
fb_fault_conn_set_data (FbFaultConn *conn,
                        gpointer     data)
{
  conn->data = data;
}

/**
 * fb_fault_conn_arm_cut:
 *
 * The next event to come from upstream is cut short, and the connection
 * with it.
 */
void
fb_fault_conn_arm_cut (FbFaultConn *conn,
                       FbFaultCut   cut)
{
  g_return_if_fail (!conn->closed);

  conn->cut = cut;
  pump_down (conn);
}

void
fb_fault_conn_stall (FbFaultConn *conn)
{
  g_return_if_fail (!conn->closed);

  conn->flow = FB_FAULT_FLOW_STALL;
}

void
fb_fault_conn_trickle (FbFaultConn *conn,
                       guint        duration_ms)
{
  g_return_if_fail (!conn->closed);

  conn->flow = FB_FAULT_FLOW_TRICKLE;
  conn->trickle_until = g_get_monotonic_time () + (gint64) duration_ms * 1000;
  if (conn->trickle_id == 0)
    conn->trickle_id = g_timeout_add (FB_FAULT_TRICKLE_INTERVAL_MS, trickle_cb, conn);
}

/* Resets the client's connection now, e.g. to end a stall the client's
 * watchdog failed to notice. */
void
fb_fault_conn_reset (FbFaultConn *conn)
{
  conn_end (conn, FB_FAULT_END_RESET);
}
