/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-listen"

#include "config.h"

#include "fb-listen-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fb-json-writer.h"

/*
 * feedbell-listen's output and its bookkeeping: the JSON line of a raw
 * event, the ids that wait for their line to be written before the state
 * file may record them, and the listener's set-up. No text for people
 * here: that stays in fb-listen.c.
 */

void
_fb_listen_options_clear (Options *options)
{
  g_clear_pointer (&options->last_event_id, g_free);
  g_clear_pointer (&options->state_file, g_free);
  g_clear_pointer (&options->headers, g_strfreev);
  g_clear_pointer (&options->format, g_free);
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    g_clear_pointer (&options->templates[i], g_free);
  g_clear_pointer (&options->ignore, g_strfreev);
}

gboolean
_fb_listen_write_all (const char *buf,
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

/* Most events are of the default type and many carry no id: their
 * constant parts go in with one append. */
void
_fb_listen_append_event (GString          *out,
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

/* The state file must not record @event's id before its line is out. */
void
_fb_listen_remember_id (Listen           *listen,
                        const FbSseEvent *event)
{
  char *id;

  if (listen->log == NULL || !event->has_id)
    return;
  if (listen->quiet)
    {
      fb_event_log_record (listen->log, event->last_event_id, NULL);
      return;
    }

  /* Recorded by flush_output(), once its line is out. */
  id = g_strdup (event->last_event_id);
  g_ptr_array_add (listen->unsaved, id);
  g_hash_table_add (listen->unsaved_set, id);
}

/* The state file's log, if there is one, and where the stream resumes: after
 * the last event the state file saw, unless --last-event-id says otherwise. */
FbEventLog *
_fb_listen_open_log (FbSseConnection *connection,
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

void
_fb_listen_init (Listen          *listen,
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

void
_fb_listen_clear (Listen *listen)
{
  g_string_free (listen->out, TRUE);
  g_hash_table_unref (listen->unsaved_set);
  g_ptr_array_unref (listen->unsaved);
  g_main_loop_unref (listen->loop);
}
