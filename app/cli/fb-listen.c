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
#include "fb-format.h"
#include "fb-json-writer.h"
#include "fb-listen-private.h"
#include "fb-reader.h"
#include "fb-session.h"
#include "fb-sse-connection.h"
#include "fb-template.h"
#include "fb-url.h"

/*
 * feedbell-listen: one SSE stream to JSON lines on stdout.
 *
 * Output is collected in one buffer and written once per read of the
 * stream (or when the buffer is full), so a burst costs one write() per
 * many events while a lone event is still printed at once.
 *
 * With --notification, each event goes through an FbReader, as a feed's
 * events do in the app, and what is printed is the notification it makes.
 * Either way ntfy's messages are known by their own ids and resumed with
 * since= (fb-listen-ntfy.c).
 */

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
  /* Ids of events that printed nothing (an ntfy keepalive) are still
   * recorded below: they move the place the stream resumes from. */
  if (listen->out->len > 0 && !_fb_listen_write_all (listen->out->str, listen->out->len))
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
  _fb_listen_record_unsaved (listen);
}

static void
read_done_cb (FbSseConnection *connection,
              gpointer         user_data)
{
  flush_output (user_data);
}

/* Appends what the app would show of an event it read as @result,
 * @message and @reason. Returns FALSE when the event ends the stream for
 * good (FB_MAPPING_FAIL), having said why. */
static gboolean
append_notification (Listen          *listen,
                     FbMappingResult  result,
                     FbMessage       *message,
                     const char      *reason)
{
  switch (result)
    {
    case FB_MAPPING_FAIL:
      flush_output (listen);
      g_printerr ("feedbell-listen: %s\n", reason ? reason : _("The connection failed"));
      quit (listen, 1);
      return FALSE;

    case FB_MAPPING_IGNORE:
      /* No reason: a keepalive, not worth a line. */
      if (reason == NULL || listen->quiet)
        return TRUE;
      break;

    case FB_MAPPING_SHOW:
      if (listen->quiet)
        return TRUE;
      break;

    default:
      g_assert_not_reached ();
    }

  fb_json_append_notification (listen->out, message, reason,
                               fb_format_to_nick (fb_reader_get_effective_format (listen->reader)));
  return TRUE;
}

static void
event_cb (FbSseConnection  *connection,
          const FbSseEvent *event,
          gpointer          user_data)
{
  Listen *listen = user_data;
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;
  FbMappingResult result;
  const char *key;

  /* The rest of a read after --count or a failure said stop. */
  if (!g_main_loop_is_running (listen->loop))
    return;

  /* A replay of an event already printed (the server resent it after a
   * reconnect, or we restarted after a crash) is not printed again. */
  if (listen->log != NULL && event->has_id &&
      (fb_event_log_has_seen (listen->log, event->last_event_id) ||
       g_hash_table_contains (listen->unsaved_set, event->last_event_id)))
    return;

  /* ntfy sends no SSE ids: its messages are known by their own id
   * (fb-listen-ntfy.c), and a replay of one is not printed either. */
  result = _fb_listen_read_event (listen, event, &message, &reason);
  key = _fb_listen_get_ntfy_key (message);
  if (key != NULL && _fb_listen_has_seen (listen, key))
    return;

  listen->received++;

  if (listen->notification)
    {
      if (!append_notification (listen, result, message, reason))
        return;
    }
  else if (!listen->quiet && result == FB_MAPPING_SHOW)
    _fb_listen_append_event (listen->out, event);
  if (key != NULL)
    _fb_listen_remember_ntfy (listen, key);
  else
    _fb_listen_remember_id (listen, event);

  /* The rest waits for the end of the read (read_done_cb). */
  if (listen->out->len > FLUSH_ABOVE)
    flush_output (listen);

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

  /* Every stream opened, the first included: "skip the first event"
   * counts from here. */
  if (state == FB_SSE_STATE_OPEN && listen->reader != NULL)
    fb_reader_connected (listen->reader);

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

static gboolean
has_mapping_options (const Options *options)
{
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    if (options->templates[i] != NULL)
      return TRUE;

  return options->ignore != NULL || options->skip_first;
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
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file,
      N_("Trust the certificate authorities in FILE (PEM) instead of the system’s"), N_("FILE") },
    { "max-event-size", 0, 0, G_OPTION_ARG_INT64, &options->max_event_size,
      N_("Drop events with more than BYTES of data (default 1048576)"), N_("BYTES") },
    { "notification", 0, 0, G_OPTION_ARG_NONE, &options->notification,
      N_("Print the notification each event makes, as the app would show it"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &options->format,
      N_("Read events as FORMAT: auto, sse, plain or ntfy; with --notification also mastodon, "
         "wikimedia, home-assistant, firebase, mercure, woodpecker, json or custom"), N_("FORMAT") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &options->templates[FB_MAPPING_FIELD_TITLE],
      N_("Template of the title (implies --format custom)"), N_("TEMPLATE") },
    { "body", 0, 0, G_OPTION_ARG_STRING, &options->templates[FB_MAPPING_FIELD_BODY],
      N_("Template of the body"), N_("TEMPLATE") },
    { "link", 0, 0, G_OPTION_ARG_STRING, &options->templates[FB_MAPPING_FIELD_LINK],
      N_("Template of the link opened on a click"), N_("TEMPLATE") },
    { "icon", 0, 0, G_OPTION_ARG_STRING, &options->templates[FB_MAPPING_FIELD_ICON],
      N_("Template of the icon's URL"), N_("TEMPLATE") },
    { "priority", 0, 0, G_OPTION_ARG_STRING, &options->templates[FB_MAPPING_FIELD_PRIORITY],
      N_("Template of the priority: 1 to 5, or min, low, default, high, max"), N_("TEMPLATE") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &options->templates[FB_MAPPING_FIELD_KEY],
      N_("Template of the message key: a message with a key already shown is dropped as a repeat"), N_("TEMPLATE") },
    { "group", 0, 0, G_OPTION_ARG_STRING, &options->templates[FB_MAPPING_FIELD_GROUP],
      N_("Template of the group: a message replaces the notification of its group’s last one"), N_("TEMPLATE") },
    { "ignore", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->ignore,
      N_("Ignore the events this rule matches (repeatable), e.g. 'data == \"ping\"'"), N_("RULE") },
    { "skip-first", 0, 0, G_OPTION_ARG_NONE, &options->skip_first,
      N_("Ignore the first event after each connect"), NULL },
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
  if (!options->notification && has_mapping_options (options))
    return usage_error (_("The templates, --ignore and --skip-first need --notification"));
  if (!options->notification && !_fb_listen_is_raw_format (options->format))
    {
      g_autofree char *message =
        g_strdup_printf (_("--format %s needs --notification; without it, use auto, sse, plain or ntfy"),
                         options->format);

      return usage_error (message);
    }

  return TRUE;
}

/* The options of a custom mapping, each checked alone so that the error
 * names the option (the template's own message gives the column). */
static FbMapping *
new_custom_mapping (const Options  *options,
                    GError        **error)
{
  static const char * const names[FB_MAPPING_N_FIELDS] = {
    "--title", "--body", "--link", "--icon", "--priority", "--key", "--group",
  };

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      g_autoptr(FbTemplate) template = NULL;
      g_autoptr(GError) local_error = NULL;

      if (options->templates[i] == NULL)
        continue;
      template = fb_template_parse (options->templates[i], &local_error);
      if (template == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s: %s"), names[i], local_error->message);
          return NULL;
        }
    }
  for (guint i = 0; options->ignore != NULL && options->ignore[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!fb_mapping_check_rule (options->ignore[i], &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--ignore “%s”: %s"), options->ignore[i], local_error->message);
          return NULL;
        }
    }

  return fb_mapping_new_custom ((const char * const *) options->templates,
                                (const char * const *) options->ignore,
                                options->skip_first, error);
}

/* How events are read; or NULL, with @error set when the options do not
 * make a reader. Without --notification, only which are ntfy's, or NULL
 * for sse and plain. */
static FbReader *
new_reader (const char     *url,
            const Options  *options,
            GError        **error)
{
  g_autoptr(FbMapping) mapping = NULL;
  FbMessageFormat format = FB_MESSAGE_FORMAT_AUTO;

  if (!options->notification)
    return _fb_listen_new_raw_reader (url, options->format);

  if (options->format != NULL)
    {
      if (!_fb_listen_format_from_name (options->format, &format))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not a format: see --help for the list"), options->format);
          return NULL;
        }
    }
  else if (has_mapping_options (options))
    format = FB_MESSAGE_FORMAT_CUSTOM;

  if (format == FB_MESSAGE_FORMAT_CUSTOM)
    {
      mapping = new_custom_mapping (options, error);
      if (mapping == NULL)
        return NULL;
    }
  else if (has_mapping_options (options))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The templates, --ignore and --skip-first make a custom format: "
                     "they cannot go with --format %s"), options->format);
      return NULL;
    }

  return fb_reader_new (format, mapping, url);
}

/* The connection the options describe, not started; or NULL, having said why. */
static FbSseConnection *
new_connection (const char    *url,
                const Options *options)
{
  g_autoptr(FbSseConnection) connection = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (options->max_event_size != 0 &&
      (options->max_event_size < FB_SSE_MIN_EVENT_SIZE || options->max_event_size > FB_SSE_MAX_EVENT_SIZE))
    {
      g_autofree char *message =
        g_strdup_printf (_("--max-event-size must be between %d and %d bytes"),
                         FB_SSE_MIN_EVENT_SIZE, FB_SSE_MAX_EVENT_SIZE);

      usage_error (message);
      return NULL;
    }

  /* As a feed's CA file in the app: these authorities instead of the system's. */
  session = fb_session_new (options->ca_file, &error);
  if (session == NULL)
    {
      usage_error (error->message);
      return NULL;
    }
  connection = g_object_new (FB_TYPE_SSE_CONNECTION,
                             "url", url,
                             "session", session,
                             "read-size", READ_SIZE,
                             NULL);
  if (options->max_event_size > 0)
    fb_sse_connection_set_max_event_size (connection, (guint) options->max_event_size);
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
  g_autoptr(FbReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  Listen listen = { 0 };
  int status;

  init_locale ();
  if (!parse_options (&argc, &argv, &options))
    return 2;
  connection = new_connection (argv[1], &options);
  if (connection == NULL)
    return 2;
  reader = new_reader (argv[1], &options, &error);
  if (error != NULL)
    {
      usage_error (error->message);
      return 2;
    }
  log = _fb_listen_open_log (connection, &options);

  signal (SIGPIPE, SIG_IGN);
  _fb_listen_init (&listen, connection, log, &options);
  listen.reader = reader;
  status = listen_run (&listen);
  _fb_listen_clear (&listen);

  return status;
}
