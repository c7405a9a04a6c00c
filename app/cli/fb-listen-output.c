/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-listen"

#include "config.h"

#include "fb-listen-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fb-json-writer.h"

/* ntfy resumes after the message this query parameter names. */
#define NTFY_RESUME_PARAM "since"

/*
 * feedbell-listen's output and its bookkeeping: the JSON line of a raw
 * event, the ids that wait for their line to be written before the state
 * file may record them (SSE ids, or ntfy's message ids, which also move the
 * connection's since=), where the first stream resumes, and the listener's
 * set-up. No text for people here: that stays in fb-listen.c.
 */

void
_fb_listen_options_clear (Options *options)
{
  g_clear_pointer (&options->last_event_id, g_free);
  g_clear_pointer (&options->state_file, g_free);
  g_clear_pointer (&options->ca_file, g_free);
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

/* Printed already, or waiting for its line to go out. */
gboolean
_fb_listen_has_seen (Listen     *listen,
                     const char *id)
{
  return (listen->log != NULL && fb_event_log_has_seen (listen->log, id)) ||
         g_hash_table_contains (listen->unsaved_set, id);
}

static void
listen_id_free (ListenId *id)
{
  g_free (id->id);
  g_free (id);
}

/* @id is past: what the state file records, and for ntfy where the next
 * stream starts. */
static void
record (Listen     *listen,
        const char *id,
        gboolean    ntfy)
{
  if (listen->log != NULL)
    fb_event_log_record (listen->log, id, ntfy ? NTFY_RESUME_PARAM : NULL);
  if (ntfy)
    fb_sse_connection_set_query_param (listen->connection, NTFY_RESUME_PARAM, id);
}

/* Once its line is out, @id is recorded (by _fb_listen_record_unsaved()). */
static void
remember (Listen     *listen,
          const char *id,
          gboolean    ntfy)
{
  ListenId *unsaved;

  if (listen->quiet)
    {
      record (listen, id, ntfy);
      return;
    }

  unsaved = g_new (ListenId, 1);
  unsaved->id = g_strdup (id);
  unsaved->ntfy = ntfy;
  g_ptr_array_add (listen->unsaved, unsaved);
  g_hash_table_add (listen->unsaved_set, unsaved->id);
}

/* The state file must not record @event's id before its line is out. */
void
_fb_listen_remember_id (Listen           *listen,
                        const FbSseEvent *event)
{
  if (listen->log != NULL && event->has_id)
    remember (listen, event->last_event_id, FALSE);
}

/* The same for ntfy's message @key; without a state file too, for the
 * connection's since=. */
void
_fb_listen_remember_ntfy (Listen     *listen,
                          const char *key)
{
  remember (listen, key, TRUE);
}

/* The lines of the ids waiting are out: they may be recorded now. */
void
_fb_listen_record_unsaved (Listen *listen)
{
  for (guint i = 0; i < listen->unsaved->len; i++)
    {
      ListenId *id = listen->unsaved->pdata[i];

      record (listen, id->id, id->ntfy);
    }
  g_hash_table_remove_all (listen->unsaved_set);
  g_ptr_array_set_size (listen->unsaved, 0);
}

/* Where the first stream starts: after @id, in Last-Event-ID or, with
 * @param, in that query parameter (replacing the URL's own); "" for the
 * start of the stream. */
static void
resume_after (FbSseConnection *connection,
              const char      *id,
              const char      *param)
{
  if (id[0] == '\0')
    param = NULL;
  fb_sse_connection_set_query_param (connection, param, param != NULL ? id : NULL);
  fb_sse_connection_set_last_event_id (connection, param != NULL ? "" : id);
}

/* The state file's log, if there is one, and where the stream resumes: after
 * the last event the state file saw, unless --last-event-id says otherwise
 * (with --format ntfy, the id of ntfy's message, sent as since=). */
FbEventLog *
_fb_listen_open_log (FbSseConnection *connection,
                     const Options   *options)
{
  FbEventLog *log = NULL;

  if (options->state_file != NULL)
    {
      log = fb_event_log_new (options->state_file);
      resume_after (connection, fb_event_log_get_last_event_id (log),
                    fb_event_log_get_resume_param (log));
    }
  if (options->last_event_id != NULL)
    resume_after (connection, options->last_event_id,
                  g_strcmp0 (options->format, "ntfy") == 0 ? NTFY_RESUME_PARAM : NULL);

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
  listen->unsaved = g_ptr_array_new_with_free_func ((GDestroyNotify) listen_id_free);
  listen->unsaved_set = g_hash_table_new (g_str_hash, g_str_equal);
  listen->count = options->count;
  listen->quiet = options->quiet;
  listen->verbose = options->verbose;
  listen->notification = options->notification;
}

void
_fb_listen_clear (Listen *listen)
{
  g_string_free (listen->out, TRUE);
  g_hash_table_unref (listen->unsaved_set);
  g_ptr_array_unref (listen->unsaved);
  g_main_loop_unref (listen->loop);
}
