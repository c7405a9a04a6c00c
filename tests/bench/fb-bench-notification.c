/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-notification"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "fb-bench-util.h"

/*
 * `feedbell-listen --notification --format mastodon` on a stream of
 * Mastodon `notification` events of about 2 KiB each, against the same
 * tool printing the same stream as raw JSON lines (the baseline): events/s
 * and peak RSS of each.
 *
 * The stream is served from a thread of this program on 127.0.0.1, from a
 * pre-rendered buffer in large writes; a run is timed from accepting the
 * connection to the reader's exit after --count events, and its peak RSS is
 * the kernel's (wait4's ru_maxrss), so nothing samples it.
 *
 *   fb-bench-notification [--events N]
 */

#define CHUNK_BYTES (1024 * 1024)
#define RUN_TIMEOUT_S 300

/* A mention as Mastodon's streaming API sends it, HTML and all: the issue's
 * 2 KiB (PAYLOAD_BYTES ± 32, checked in main()). */
#define PAYLOAD_BYTES 2048
static const char payload[] =
  "{\"id\":\"34975861\",\"type\":\"mention\",\"created_at\":\"2024-05-14T09:21:37.402Z\",\"group_"
  "key\":\"ungrouped-34975861\",\"account\":{\"id\":\"109302\",\"username\":\"ana\",\"acct\":\"an"
  "a@social.example\",\"display_name\":\"Ana Lima \\u00b7 she\",\"locked\":false,\"bot\":false,\""
  "discoverable\":true,\"created_at\":\"2022-11-07T00:00:00.000Z\",\"note\":\"<p>Pipelines.</p>\""
  ",\"url\":\"https://social.example/@ana\",\"uri\":\"https://social.example/users/ana\",\"avatar"
  "\":\"https://files.social.example/accounts/avatars/109/302/original/4f1c2a.png\",\"avatar_stat"
  "ic\":\"https://files.social.example/accounts/avatars/109/302/original/4f1c2a.png\",\"followers"
  "_count\":812,\"following_count\":301,\"statuses_count\":4520,\"emojis\":[],\"fields\":[]},\"st"
  "atus\":{\"id\":\"112438912309876543\",\"created_at\":\"2024-05-14T09:21:36.998Z\",\"in_reply_t"
  "o_id\":\"112438900011223344\",\"in_reply_to_account_id\":\"1\",\"sensitive\":false,\"spoiler_t"
  "ext\":\"\",\"visibility\":\"public\",\"language\":\"en\",\"uri\":\"https://social.example/user"
  "s/ana/statuses/112438912309876543\",\"url\":\"https://social.example/@ana/112438912309876543\""
  ",\"replies_count\":2,\"reblogs_count\":5,\"favourites_count\":17,\"edited_at\":null,\"content"
  "\":\"<p><span class=\\\"h-card\\\" translate=\\\"no\\\"><a href=\\\"https://mastodon.example/@"
  "me\\\" class=\\\"u-url mention\\\">@<span>me</span></a></span> Thanks for the SSE write-up! Bu"
  "ilds notify us in a second now :blobcat:</p><p><a href=\\\"https://social.example/tags/sse\\\""
  " class=\\\"mention hashtag\\\" rel=\\\"tag\\\">#<span>sse</span></a> <a href=\\\"https://socia"
  "l.example/tags/devops\\\" class=\\\"mention hashtag\\\" rel=\\\"tag\\\">#<span>devops</span></"
  "a></p>\",\"reblog\":null,\"application\":{\"name\":\"Web\",\"website\":null},\"media_attachmen"
  "ts\":[],\"mentions\":[{\"id\":\"1\",\"username\":\"me\",\"url\":\"https://mastodon.example/@me"
  "\",\"acct\":\"me@mastodon.example\"}],\"tags\":[{\"name\":\"sse\",\"url\":\"https://social.exa"
  "mple/tags/sse\"},{\"name\":\"devops\",\"url\":\"https://social.example/tags/devops\"}],\"emoji"
  "s\":[{\"shortcode\":\"blobcat\",\"url\":\"https://files.social.example/emojis/blobcat.png\",\""
  "static_url\":\"https://files.social.example/emojis/blobcat_static.png\",\"visible_in_picker\":"
  "true}],\"card\":null,\"poll\":null}}";

static const char response_header[] =
  "HTTP/1.1 200 OK\r\n"
  "Content-Type: text/event-stream\r\n"
  "Cache-Control: no-cache\r\n"
  "Connection: close\r\n"
  "\r\n";

typedef struct
{
  GSocketListener *listener;
  GString         *chunk;          /* whole events, about CHUNK_BYTES */
  guint            chunk_events;
  gsize            event_bytes;
  gint64           n_events;
  gint64           accepted_ns;    /* set by the server thread */
} Server;

static gboolean
send_all (GSocket    *socket,
          const char *buf,
          gsize       len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, buf, len, NULL, NULL);

      if (n <= 0)
        return FALSE;
      buf += n;
      len -= n;
    }

  return TRUE;
}

/* One connection: skip the request, send every event, then wait for the
 * reader to close (it exits after --count). */
static gpointer
serve_thread (gpointer user_data)
{
  Server *server = user_data;
  g_autoptr(GSocket) socket = g_socket_listener_accept_socket (server->listener, NULL, NULL, NULL);
  char buf[16 * 1024];
  gint64 left = server->n_events;

  if (socket == NULL)
    return NULL;
  g_atomic_pointer_set (&server->accepted_ns, fb_bench_now_ns ());
  if (g_socket_receive (socket, buf, sizeof buf, NULL, NULL) <= 0 ||
      !send_all (socket, response_header, sizeof response_header - 1))
    return NULL;
  while (left > 0)
    {
      gint64 k = MIN (left, (gint64) server->chunk_events);

      if (!send_all (socket, server->chunk->str, k * server->event_bytes))
        return NULL;
      left -= k;
    }
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  while (g_socket_receive (socket, buf, sizeof buf, NULL, NULL) > 0)
    ;

  return NULL;
}

typedef struct
{
  double events_per_s;
  double peak_rss_mib;
} Result;

/* Runs feedbell-listen with @options and the server's URL, output to
 * /dev/null. */
static gboolean
run_listen (Server             *server,
            guint16             port,
            const char * const *options,
            Result             *result)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GThread *thread;
  struct rusage usage;
  GPid pid;
  int status;
  gint64 end_ns;

  g_ptr_array_add (argv, g_strdup (fb_bench_env_path ("FEEDBELL_LISTEN", FB_BENCH_LISTEN_PATH)));
  g_ptr_array_add (argv, g_strdup_printf ("--count=%" G_GINT64_FORMAT, server->n_events));
  for (guint i = 0; options[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (options[i]));
  g_ptr_array_add (argv, g_strdup_printf ("http://127.0.0.1:%u/", port));
  g_ptr_array_add (argv, NULL);

  server->accepted_ns = 0;
  thread = g_thread_new ("serve", serve_thread, server);
  if (!g_spawn_async (NULL, (char **) argv->pdata, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, &pid, &error))
    g_error ("fb-bench-notification: %s", error->message);
  while (wait4 (pid, &status, 0, &usage) < 0 && errno == EINTR)
    ;
  end_ns = fb_bench_now_ns ();
  g_thread_join (thread);

  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || server->accepted_ns == 0)
    {
      g_printerr ("fb-bench-notification: feedbell-listen failed (status %d)\n", status);
      return FALSE;
    }
  result->events_per_s = server->n_events / ((end_ns - server->accepted_ns) / 1e9);
  result->peak_rss_mib = usage.ru_maxrss / 1024.0;
  g_printerr ("fb-bench-notification: %s: %" G_GINT64_FORMAT " events in %.3f s, %.0f events/s, "
              "peak RSS %.1f MiB, CPU %.3f s user + %.3f s system\n",
              options[0] ? options[0] : "(raw JSON lines)", server->n_events,
              (end_ns - server->accepted_ns) / 1e9, result->events_per_s, result->peak_rss_mib,
              usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
              usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);

  return TRUE;
}

static void
server_init (Server  *server,
             gint64   n_events)
{
  g_autofree char *event = g_strdup_printf ("event: notification\ndata: %s\n\n", payload);

  server->event_bytes = strlen (event);
  server->chunk_events = MAX (1, CHUNK_BYTES / server->event_bytes);
  server->chunk = g_string_sized_new (server->chunk_events * server->event_bytes);
  for (guint i = 0; i < server->chunk_events; i++)
    g_string_append (server->chunk, event);
  server->n_events = n_events;
  server->listener = g_socket_listener_new ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  gint64 n_events = 300000;
  Server server = { 0 };
  Result raw = { 0 }, notification = { 0 }, quiet = { 0 };
  gboolean raw_ok, notification_ok, quiet_ok;
  guint16 port;
  const GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT64, &n_events, "Events per run", "N" },
    G_OPTION_ENTRY_NULL
  };
  const char * const raw_options[] = { NULL };
  const char * const notification_options[] = { "--notification", "--format=mastodon", NULL };
  const char * const quiet_options[] = { "--notification", "--format=mastodon", "--quiet", NULL };

  context = g_option_context_new ("— feedbell-listen --notification on Mastodon events");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_events <= 0)
    {
      g_printerr ("fb-bench-notification: %s\n", error ? error->message : "--events must be positive");
      return 2;
    }

  /* The figures are only comparable with the issue's for its payload size. */
  if (strlen (payload) < PAYLOAD_BYTES - 32 || strlen (payload) > PAYLOAD_BYTES + 32)
    g_error ("fb-bench-notification: the payload is %zu bytes, not %u ± 32",
             strlen (payload), PAYLOAD_BYTES);
  server_init (&server, n_events);
  address = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_listener_add_address (server.listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    {
      g_printerr ("fb-bench-notification: %s\n", error->message);
      return 1;
    }
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_printerr ("fb-bench-notification: %zu bytes per event (%zu of JSON)\n",
              server.event_bytes, strlen (payload));

  /* An untimed run first: page in the binary and its libraries. */
  run_listen (&server, port, raw_options, &raw);
  raw_ok = run_listen (&server, port, raw_options, &raw);
  notification_ok = run_listen (&server, port, notification_options, &notification);
  quiet_ok = run_listen (&server, port, quiet_options, &quiet);

  {
    g_autofree char *measure = g_strdup_printf ("Mastodon notification, %zu B", server.event_bytes);
    g_autofree char *raw_value = g_strdup_printf ("%.0f ev/s · peak RSS %.1f MiB",
                                                  raw.events_per_s, raw.peak_rss_mib);
    g_autofree char *value = g_strdup_printf ("%.0f ev/s · peak RSS %.1f MiB",
                                              notification.events_per_s, notification.peak_rss_mib);
    g_autofree char *quiet_value = g_strdup_printf ("%.0f ev/s · peak RSS %.1f MiB",
                                                    quiet.events_per_s, quiet.peak_rss_mib);
    g_autofree char *ratio = g_strdup_printf ("%.2f × raw JSON lines",
                                              notification.events_per_s / raw.events_per_s);
    g_autofree char *quiet_ratio = g_strdup_printf ("%.2f × raw JSON lines",
                                                    quiet.events_per_s / raw.events_per_s);
    gboolean met = notification.events_per_s >= 100000 && notification.peak_rss_mib <= 16;

    fb_bench_row (measure, "feedbell-listen raw JSON lines > /dev/null (baseline)",
                  raw_ok ? raw_value : "failed", "", "", "");
    fb_bench_row (measure, "feedbell-listen --notification --format mastodon > /dev/null",
                  notification_ok ? value : "failed", raw_ok ? ratio : "",
                  "≥ 100,000 ev/s, ≤ 16 MiB", notification_ok ? fb_bench_verdict (met) : "n/a");
    fb_bench_row (measure, "the same, --quiet (reading without printing)",
                  quiet_ok ? quiet_value : "failed", raw_ok ? quiet_ratio : "", "", "");
  }

  return raw_ok && notification_ok && quiet_ok ? 0 : 1;
}
