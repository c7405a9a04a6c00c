/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-raw-reader"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "fb-bench-util.h"

/*
 * The wire limit: a plain socket, one GET, then read and discard in large
 * blocks, counting events as "\n\n" pairs after the response header. No
 * HTTP library, no parsing: nothing can read this stream faster.
 *
 *   fb-bench-raw-reader PORT N   → "events=… bytes=… ns=…" on stdout
 *
 * With --relay it writes the body to stdout as it comes, at once: the floor
 * for the latency of any program that prints what it reads (one socket
 * wakeup, one pipe write).
 */

#define BLOCK (256 * 1024)

static void
relay_out (const char *buf,
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *request = NULL;
  g_autofree char *buf = g_malloc (BLOCK);
  g_autoptr(GString) head = g_string_new (NULL);
  FbBenchCounter counter = { 0 };
  guint64 target, bytes = 0;
  gint64 start;
  gboolean in_body = FALSE;
  gboolean relay = argc == 4 && g_str_equal (argv[1], "--relay");

  if (relay)
    {
      argv++;
      argc--;
    }
  if (argc != 3)
    {
      g_printerr ("usage: fb-bench-raw-reader [--relay] PORT N\n");
      return 2;
    }
  target = g_ascii_strtoull (argv[2], NULL, 10);

  start = fb_bench_now_ns ();
  address = g_inet_socket_address_new (loopback, (guint16) atoi (argv[1]));
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (socket == NULL || !g_socket_connect (socket, address, NULL, &error))
    {
      g_printerr ("fb-bench-raw-reader: %s\n", error->message);
      return 1;
    }
  request = g_strdup_printf ("GET /events HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n"
                             "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n", argv[1]);
  g_socket_send (socket, request, strlen (request), NULL, NULL);

  while (counter.events < target)
    {
      gssize n = g_socket_receive (socket, buf, BLOCK, NULL, &error);

      if (n <= 0)
        break;
      if (!in_body)
        {
          const char *body;

          /* Keep the header until its end, then count what follows it. */
          g_string_append_len (head, buf, n);
          body = strstr (head->str, "\r\n\r\n");
          if (body == NULL)
            continue;
          in_body = TRUE;
          body += 4;
          bytes += head->len - (body - head->str);
          fb_bench_count_events (&counter, body, head->len - (body - head->str));
          continue;
        }
      bytes += n;
      if (relay)
        relay_out (buf, n);
      fb_bench_count_events (&counter, buf, n);
    }

  if (!relay)
    printf ("events=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT " ns=%" G_GINT64_FORMAT "\n",
          counter.events, bytes, fb_bench_now_ns () - start);
  g_socket_close (socket, NULL);

  return counter.events >= target ? 0 : 1;
}
