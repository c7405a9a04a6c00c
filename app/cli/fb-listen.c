/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-listen"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fb-event-log.h"
#include "fb-json-writer.h"
#include "fb-sse-connection.h"
#include "fb-url.h"

/*
 * feedbell-listen: one SSE stream to JSON lines on stdout.
 *
 * Output is collected in one buffer and written once per read of the
 * stream (or when the buffer is full), so a burst costs one write() per
 * many events while a lone event is still printed at once.
 */

#define FLUSH_ABOVE (64 * 1024)
/* Bigger reads than the connection's default: fewer wakeups on a busy stream. */
#define READ_SIZE   (64 * 1024)

typedef struct
{
  GMainLoop       *loop;
  FbSseConnection *connection;
  FbEventLog      *log;
  GString         *out;
  GPtrArray       *unsaved;      /* ids of the lines in out, in order */
  GHashTable      *unsaved_set;  /* the same, to look up */
  gint64           count;
  gint64           received;
  gboolean         quiet;
  gboolean         verbose;
  int              status;
} Listen;

typedef struct
{
  gint64    count;
  int       idle_timeout;
  gboolean  quiet;
  gboolean  verbose;
  char     *last_event_id;
  char     *state_file;
  GStrv     headers;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->last_event_id, g_free);
  g_clear_pointer (&options->state_file, g_free);
  g_clear_pointer (&options->headers, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static gboolean
write_all (const char *buf,
           gsize       len)
{
  while (len > 0)
    {
      gssize n = write (STDOUT_FILENO, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= n;
    }

  return TRUE;
}

static void
quit (Listen *listen,
      int     status)
{
  listen->status = status;
  /* Quit first: the state change stop() causes is then not taken for a 204. */
  g_main_loop_quit (listen->loop);
  fb_sse_connection_stop (listen->connection);
}

static void
flush_output (Listen *listen)
{
  if (listen->out->len == 0)
    return;

  if (!write_all (listen->out->str, listen->out->len))
    {
      /* Nobody reads us any more (a closed pipe): nothing left to do. */
      g_printerr ("feedbell-listen: %s: %s\n", _("Could not write the output"), g_strerror (errno));
      g_string_truncate (listen->out, 0);
      g_hash_table_remove_all (listen->unsaved_set);
      g_ptr_array_set_size (listen->unsaved, 0);
      quit (listen, 1);
      return;
    }
  g_string_truncate (listen->out, 0);

  /* Only now are these events shown: only now may the state file say so.
   * Recorded any sooner, a save (which may come at any record) followed by
   * a crash would skip them for good. */
  for (guint i = 0; i < listen->unsaved->len; i++)
    fb_event_log_record (listen->log, listen->unsaved->pdata[i], NULL);
  g_hash_table_remove_all (listen->unsaved_set);
  g_ptr_array_set_size (listen->unsaved, 0);
}

static void
read_done_cb (FbSseConnection *connection,
              gpointer         user_data)
{
  flush_output (user_data);
}

/* Most events are of the default type and many carry no id: their
 * constant parts go in with one append. */
static void
append_json_line (GString          *out,
                  const FbSseEvent *event)
{
  static const char message_head[] = "{\"type\":\"message\",\"data\":";
  static const char no_id_tail[] = ",\"lastEventId\":\"\"}\n";

  /* The type may hold a NUL ("message\0x" is another type): compare and
   * print it by its length. */
  if (event->type_len == strlen ("message") &&
      memcmp (event->type, "message", event->type_len) == 0)
    g_string_append_len (out, message_head, sizeof message_head - 1);
  else
    {
      g_string_append_len (out, "{\"type\":", 8);
      fb_json_append_string (out, event->type, event->type_len);
      g_string_append_len (out, ",\"data\":", 8);
    }
  fb_json_append_string (out, event->data, event->data_len);
  if (event->last_event_id[0] == '\0')
    g_string_append_len (out, no_id_tail, sizeof no_id_tail - 1);
  else
    {
      g_string_append_len (out, ",\"lastEventId\":", 15);
      fb_json_append_string (out, event->last_event_id, strlen (event->last_event_id));
      g_string_append_len (out, "}\n", 2);
    }
}

static void
event_cb (FbSseConnection  *connection,
          const FbSseEvent *event,
          gpointer          user_data)
{
  Listen *listen = user_data;

  /* A replay of an event already printed (the server resent it after a
   * reconnect, or we restarted after a crash) is not printed again. */
  if (listen->log != NULL && event->has_id)
    {
      if (fb_event_log_has_seen (listen->log, event->last_event_id) ||
          g_hash_table_contains (listen->unsaved_set, event->last_event_id))
        return;
      if (listen->quiet)
        fb_event_log_record (listen->log, event->last_event_id, NULL);
      else
        {
          char *id = g_strdup (event->last_event_id);

          /* Recorded by flush_output(), once its line is out. */
          g_ptr_array_add (listen->unsaved, id);
          g_hash_table_add (listen->unsaved_set, id);
        }
    }

  listen->received++;

  if (!listen->quiet)
    {
      append_json_line (listen->out, event);
      /* The rest waits for the end of the read (read_done_cb). */
      if (listen->out->len > FLUSH_ABOVE)
        flush_output (listen);
    }

  if (listen->count > 0 && listen->received >= listen->count)
    {
      flush_output (listen);
      quit (listen, 0);
    }
}

static void
state_cb (FbSseConnection *connection,
          GParamSpec      *pspec,
          Listen          *listen)
{
  FbSseState state = fb_sse_connection_get_state (connection);
  const GError *error = fb_sse_connection_get_last_error (connection);

  if (listen->verbose)
    {
      if (error != NULL && state != FB_SSE_STATE_OPEN && state != FB_SSE_STATE_CONNECTING)
        g_printerr ("feedbell-listen: %s (%s)\n", fb_sse_state_to_string (state), error->message);
      else
        g_printerr ("feedbell-listen: %s\n", fb_sse_state_to_string (state));
    }

  if (!g_main_loop_is_running (listen->loop))
    return;

  switch (state)
    {
    case FB_SSE_STATE_FAILED:
      flush_output (listen);
      g_printerr ("feedbell-listen: %s\n", error ? error->message : _("The connection failed"));
      quit (listen, 1);
      break;

    case FB_SSE_STATE_STOPPED:
      /* The server said stop (204). */
      flush_output (listen);
      if (listen->verbose)
        g_printerr ("feedbell-listen: %s\n", _("The server asked not to reconnect (204 No Content)"));
      quit (listen, 0);
      break;

    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_CONNECTING:
    case FB_SSE_STATE_OPEN:
    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_WAITING_NETWORK:
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    Listen          *listen)
{
  /* The monitor speaks of the way out; a feed on this machine is always there. */
  fb_sse_connection_set_network_available (listen->connection,
                                           available || fb_sse_connection_is_loopback (listen->connection));
}

static gboolean
signal_cb (gpointer user_data)
{
  Listen *listen = user_data;

  flush_output (listen);
  quit (listen, 0);

  return G_SOURCE_CONTINUE;
}

static gboolean
add_header (FbSseConnection  *connection,
            const char       *header,
            GError          **error)
{
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  const char *colon = strchr (header, ':');

  if (colon == NULL || colon == header || strpbrk (header, "\r\n") != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a header: use --header 'Name: value'"), header);
      return FALSE;
    }

  name = g_strstrip (g_strndup (header, colon - header));
  if (*name == '\0' || strpbrk (name, " \t") != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a valid header name"), name);
      return FALSE;
    }

  value = g_strstrip (g_strdup (colon + 1));
  fb_sse_connection_add_header (connection, name, value);
  return TRUE;
}

static gboolean
check_url (const char  *url,
           GError     **error)
{
  if (!fb_url_is_http (url))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not an http or https URL"), url);
      return FALSE;
    }

  return TRUE;
}

static void
init_locale (void)
{
  setlocale (LC_ALL, "");
  /* FEEDBELL_LOCALEDIR: translations of an uninstalled build (build/po). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FEEDBELL_LOCALEDIR") ? g_getenv ("FEEDBELL_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* Always FALSE: for returning from parse_options() and new_connection(). */
static gboolean
usage_error (const char *message)
{
  g_printerr ("feedbell-listen: %s\n", message);
  g_printerr (_("Try “%s --help” for more information."), g_get_prgname ());
  g_printerr ("\n");

  return FALSE;
}

/* Leaves the URL alone in @argv. Returns FALSE, having said why, when the
 * command line is not one to run. */
static gboolean
parse_options (int      *argc,
               char   ***argv,
               Options  *options)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT64, &options->count, N_("Exit after N events"), N_("N") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet, N_("Print nothing (for benchmarks)"), NULL },
    { "last-event-id", 0, 0, G_OPTION_ARG_STRING, &options->last_event_id, N_("Resume after this event id"), N_("ID") },
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &options->headers, N_("Add a request header"), N_("'NAME: VALUE'") },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &options->idle_timeout, N_("Reconnect after S seconds without a byte"), N_("S") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose, N_("Report connection state changes on stderr"), NULL },
    { "state-file", 0, 0, G_OPTION_ARG_FILENAME, &options->state_file,
      N_("Resume from and save progress to FILE; never print an event twice"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new (_("URL — print a Server-Sent Events stream as JSON lines"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    return usage_error (error->message);

  if (*argc != 2)
    return usage_error (_("Give exactly one URL"));
  if (options->count < 0)
    return usage_error (_("--count must not be negative"));
  if (options->idle_timeout < 0)
    return usage_error (_("--idle-timeout must not be negative"));
  if (!check_url ((*argv)[1], &error))
    return usage_error (error->message);

  return TRUE;
}

/* The connection the options describe, not started; or NULL, having said why. */
static FbSseConnection *
new_connection (const char    *url,
                const Options *options)
{
  g_autoptr(FbSseConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_object_new (FB_TYPE_SSE_CONNECTION,
                             "url", url,
                             "read-size", READ_SIZE,
                             NULL);
  for (guint i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    if (!add_header (connection, options->headers[i], &error))
      {
        usage_error (error->message);
        return NULL;
      }
  if (options->idle_timeout > 0)
    fb_sse_connection_set_idle_timeout (connection, options->idle_timeout);

  return g_steal_pointer (&connection);
}

/* The state file's log, if there is one, and where the stream resumes: after
 * the last event the state file saw, unless --last-event-id says otherwise. */
static FbEventLog *
open_log (FbSseConnection *connection,
          const Options   *options)
{
  FbEventLog *log = NULL;

  if (options->state_file != NULL)
    {
      log = fb_event_log_new (options->state_file);
      fb_sse_connection_set_last_event_id (connection, fb_event_log_get_last_event_id (log));
    }
  if (options->last_event_id != NULL)
    fb_sse_connection_set_last_event_id (connection, options->last_event_id);

  return log;
}

static void
listen_init (Listen          *listen,
             FbSseConnection *connection,
             FbEventLog      *log,
             const Options   *options)
{
  listen->loop = g_main_loop_new (NULL, FALSE);
  listen->connection = connection;
  listen->log = log;
  listen->out = g_string_sized_new (FLUSH_ABOVE + 4096);
  listen->unsaved = g_ptr_array_new_with_free_func (g_free);
  listen->unsaved_set = g_hash_table_new (g_str_hash, g_str_equal);
  listen->count = options->count;
  listen->quiet = options->quiet;
  listen->verbose = options->verbose;
}

static void
listen_clear (Listen *listen)
{
  g_string_free (listen->out, TRUE);
  g_hash_table_unref (listen->unsaved_set);
  g_ptr_array_unref (listen->unsaved);
  g_main_loop_unref (listen->loop);
}

/* Prints the stream until it ends for good, a signal or --count says stop.
 * Returns the exit status. */
static int
listen_run (Listen *listen)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  g_autoptr(GError) error = NULL;

  fb_sse_connection_set_event_func (listen->connection, event_cb, listen, NULL);
  fb_sse_connection_set_read_done_func (listen->connection, read_done_cb, listen, NULL);
  g_signal_connect (listen->connection, "notify::state", G_CALLBACK (state_cb), listen);
  g_signal_connect (monitor, "network-changed", G_CALLBACK (network_changed_cb), listen);
  network_changed_cb (monitor, g_network_monitor_get_network_available (monitor), listen);
  g_unix_signal_add (SIGINT, signal_cb, listen);
  g_unix_signal_add (SIGTERM, signal_cb, listen);

  fb_sse_connection_start (listen->connection);
  g_main_loop_run (listen->loop);

  flush_output (listen);
  if (listen->log != NULL && !fb_event_log_flush (listen->log, &error))
    g_printerr ("feedbell-listen: %s\n", error->message);
  fb_sse_connection_set_event_func (listen->connection, NULL, NULL, NULL);
  fb_sse_connection_set_read_done_func (listen->connection, NULL, NULL, NULL);
  g_signal_handlers_disconnect_by_data (listen->connection, listen);
  g_signal_handlers_disconnect_by_data (monitor, listen);

  return listen->status;
}

int
main (int   argc,
      char *argv[])
{
  g_auto(Options) options = { 0 };
  g_autoptr(FbSseConnection) connection = NULL;
  g_autoptr(FbEventLog) log = NULL;
  Listen listen = { 0 };
  int status;

  init_locale ();
  if (!parse_options (&argc, &argv, &options))
    return 2;
  connection = new_connection (argv[1], &options);
  if (connection == NULL)
    return 2;
  log = open_log (connection, &options);

  signal (SIGPIPE, SIG_IGN);
  listen_init (&listen, connection, log, &options);
  status = listen_run (&listen);
  listen_clear (&listen);

  return status;
}
