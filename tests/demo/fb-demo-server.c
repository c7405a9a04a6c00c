/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-demo-server"

#include "config.h"

#include <glib-unix.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

/*
 * A small SSE server for trying Feedbell out: on 127.0.0.1 only, it sends an
 * event every few seconds on /events, plain text and ntfy-style JSON in
 * turn, with ids, and resumes from Last-Event-ID like a good server should.
 * It keeps the last 100 events to replay.
 */

#define HISTORY 100

typedef struct
{
  SoupServer *server;
  GPtrArray  *clients;   /* SoupServerMessage */
  GPtrArray  *history;   /* char *, the wire form of each event */
  guint64     next_id;
  guint       interval;
  guint       limit;
} Demo;

static const char *messages[] = {
  "Build #%" G_GUINT64_FORMAT " passed\nAll 214 tests green on main.",
  "{\"id\":\"demo%" G_GUINT64_FORMAT "\",\"event\":\"message\",\"topic\":\"demo\",\"title\":\"Disk space low\","
    "\"message\":\"/home is 91%% full on backup-01\",\"priority\":4,\"tags\":[\"warning\",\"backup\"],"
    "\"click\":\"https://example.org/disks\"}",
  "Deploy %" G_GUINT64_FORMAT " finished\nversion 2.4 is live in production.",
  "{\"id\":\"demo%" G_GUINT64_FORMAT "\",\"event\":\"message\",\"topic\":\"demo\",\"title\":\"New comment\","
    "\"message\":\"Ana: looks good to me <3\",\"priority\":3,\"tags\":[\"speech_balloon\"]}",
};

static void
send_to (SoupServerMessage *msg,
         const char        *text)
{
  soup_message_body_append (soup_server_message_get_response_body (msg),
                            SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_unpause (msg);
}

static gboolean
tick_cb (gpointer user_data)
{
  Demo *demo = user_data;
  guint64 id = demo->next_id++;
  g_autofree char *data = NULL;
  char *wire;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  data = g_strdup_printf (messages[id % G_N_ELEMENTS (messages)], id);
#pragma GCC diagnostic pop

  /* data lines must not contain raw newlines: split them. */
  {
    g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
    GString *s = g_string_new (NULL);

    g_string_append_printf (s, "id: %" G_GUINT64_FORMAT "\n", id);
    for (guint i = 0; lines[i] != NULL; i++)
      g_string_append_printf (s, "data: %s\n", lines[i]);
    g_string_append_c (s, '\n');
    wire = g_string_free (s, FALSE);
  }

  g_ptr_array_add (demo->history, wire);
  if (demo->history->len > HISTORY)
    g_ptr_array_remove_index (demo->history, 0);

  for (guint i = 0; i < demo->clients->len; i++)
    send_to (g_ptr_array_index (demo->clients, i), wire);

  if (demo->limit > 0 && id >= demo->limit)
    return G_SOURCE_REMOVE;

  return G_SOURCE_CONTINUE;
}

static gboolean
keepalive_cb (gpointer user_data)
{
  Demo *demo = user_data;

  for (guint i = 0; i < demo->clients->len; i++)
    send_to (g_ptr_array_index (demo->clients, i), ": keep-alive\n\n");

  return G_SOURCE_CONTINUE;
}

static void
finished_cb (SoupServerMessage *msg,
             Demo              *demo)
{
  g_ptr_array_remove (demo->clients, msg);
}

static void
replay (Demo              *demo,
        SoupServerMessage *msg,
        const char        *last_event_id)
{
  guint64 last = 0;

  if (last_event_id == NULL || !g_ascii_string_to_unsigned (last_event_id, 10, 0, G_MAXUINT64, &last, NULL))
    return;

  for (guint i = 0; i < demo->history->len; i++)
    {
      const char *wire = g_ptr_array_index (demo->history, i);
      guint64 id = g_ascii_strtoull (wire + strlen ("id: "), NULL, 10);

      if (id > last)
        send_to (msg, wire);
    }
}

static void
events_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Demo *demo = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *last_event_id;

  if (g_strcmp0 (path, "/events") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_server_message_pause (msg);

  g_ptr_array_add (demo->clients, msg);
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), demo);

  send_to (msg, "retry: 3000\n\n");
  last_event_id = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Last-Event-ID");
  replay (demo, msg, last_event_id);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GSList *uris;
  int port = 0;
  int interval = 3;
  int limit = 0;
  Demo demo = { 0 };
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: any free one)", "PORT" },
    { "interval", 'i', 0, G_OPTION_ARG_INT, &interval, "Seconds between events", "S" },
    { "limit", 'l', 0, G_OPTION_ARG_INT, &limit, "Stop making events after N (0: never)", "N" },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("— a demo Server-Sent Events feed on 127.0.0.1");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || port < 0 || port > 65535 || interval < 1)
    {
      g_printerr ("feedbell-demo-server: %s\n", error ? error->message : "bad option value");
      return 2;
    }

  demo.clients = g_ptr_array_new ();
  demo.history = g_ptr_array_new_with_free_func (g_free);
  demo.next_id = 1;
  demo.limit = limit;
  demo.server = soup_server_new ("server-header", "feedbell-demo-server ", NULL);
  soup_server_add_handler (demo.server, NULL, events_cb, &demo, NULL);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);
  if (!soup_server_listen (demo.server, address, 0, &error))
    {
      g_printerr ("feedbell-demo-server: %s\n", error->message);
      return 1;
    }

  uris = soup_server_get_uris (demo.server);
  printf ("http://127.0.0.1:%d/events\n", g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add_seconds (interval, tick_cb, &demo);
  g_timeout_add_seconds (15, keepalive_cb, &demo);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  soup_server_disconnect (demo.server);
  g_object_unref (demo.server);
  g_ptr_array_unref (demo.clients);
  g_ptr_array_unref (demo.history);

  return 0;
}
