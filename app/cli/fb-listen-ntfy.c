/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-listen"

#define _GNU_SOURCE  /* memmem */
#include "config.h"

#include "fb-listen-private.h"

#include <string.h>

#include "fb-format.h"

/*
 * feedbell-listen and ntfy. ntfy sends no SSE ids and ignores Last-Event-ID:
 * its messages are known by the id in their JSON, and a stream resumes with
 * `since=<id>`, which asks for the messages after that one. As in the app
 * (fb-feed-runner-reading.c), an FbReader recognises ntfy's payloads
 * (fb_message_is_ntfy()); a message's id drops a replay of it and, once its
 * line is out, is where the stream resumes: in the state file with the
 * resume parameter "since", and in the connection's query.
 *
 * Without --notification the lines stay the raw events; the reader only
 * says which events are ntfy's, and ntfy's own events (open, keepalive)
 * print nothing.
 */

/* Names --format takes without --notification. */
static const char * const raw_formats[] = { "auto", "sse", "ntfy", "plain" };

gboolean
_fb_listen_is_raw_format (const char *name)
{
  if (name == NULL)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (raw_formats); i++)
    if (g_str_equal (name, raw_formats[i]))
      return TRUE;

  return FALSE;
}

/**
 * _fb_listen_format_from_name:
 * @name: (nullable): what --format said
 * @format: (out): the format
 *
 * "sse" is "plain": the data is text, nothing in it is read.
 *
 * Returns: whether @name is a format
 */
gboolean
_fb_listen_format_from_name (const char      *name,
                             FbMessageFormat *format)
{
  *format = FB_MESSAGE_FORMAT_AUTO;
  if (name == NULL || g_str_equal (name, "auto"))
    return TRUE;
  if (g_str_equal (name, "sse"))
    {
      *format = FB_MESSAGE_FORMAT_PLAIN;
      return TRUE;
    }

  /* fb_format_from_nick() takes any unknown name for "auto". */
  *format = fb_format_from_nick (name);
  return *format != FB_MESSAGE_FORMAT_AUTO;
}

/**
 * _fb_listen_new_raw_reader:
 * @format: (nullable): a name _fb_listen_is_raw_format() accepts
 *
 * Without --notification: the reader that tells ntfy's events, or %NULL
 * when the data is never read (sse, plain).
 */
FbReader *
_fb_listen_new_raw_reader (const char *url,
                           const char *format)
{
  FbMessageFormat nick = FB_MESSAGE_FORMAT_AUTO;

  if (!_fb_listen_format_from_name (format, &nick) ||
      (nick != FB_MESSAGE_FORMAT_AUTO && nick != FB_MESSAGE_FORMAT_NTFY))
    return NULL;

  return fb_reader_new (nick, NULL, url);
}

/* ntfy's payloads are JSON objects with a topic: anything else is not
 * worth parsing (a JSON stream of another kind is never parsed here). */
static gboolean
may_be_ntfy (const FbSseEvent *event)
{
  for (gsize i = 0; i < event->data_len; i++)
    if (!g_ascii_isspace (event->data[i]))
      return event->data[i] == '{' &&
             memmem (event->data + i, event->data_len - i, "\"topic\"", 7) != NULL;

  return FALSE;
}

/**
 * _fb_listen_read_event:
 * @message: (out): the message @event makes, if any
 * @reason: (out): see fb_reader_read()
 *
 * Reads @event once. With --notification, as fb_reader_read(). Without,
 * %FB_MAPPING_IGNORE means one of ntfy's own events (print nothing), and
 * %FB_MAPPING_SHOW any other, with @message when it is ntfy's.
 */
FbMappingResult
_fb_listen_read_event (Listen            *listen,
                       const FbSseEvent  *event,
                       FbMessage        **message,
                       char             **reason)
{
  g_autofree char *type = NULL;
  FbMessageFormat format;
  FbMappingResult result;

  *message = NULL;
  *reason = NULL;
  if (listen->reader == NULL)
    return FB_MAPPING_SHOW;

  if (listen->notification)
    {
      type = g_strndup (event->type, event->type_len);
      return fb_reader_read (listen->reader, NULL, type, event->data, event->data_len,
                             event->last_event_id, message, reason);
    }

  /* Without --notification only ntfy matters: once another service is
   * recognised, or for data that cannot be ntfy's, nothing is read. */
  format = fb_reader_get_effective_format (listen->reader);
  if ((format != FB_MESSAGE_FORMAT_AUTO && format != FB_MESSAGE_FORMAT_NTFY) || !may_be_ntfy (event))
    return FB_MAPPING_SHOW;

  type = g_strndup (event->type, event->type_len);
  result = fb_reader_read (listen->reader, NULL, type, event->data, event->data_len,
                           event->last_event_id, message, reason);
  g_clear_pointer (reason, g_free);
  if (result == FB_MAPPING_SHOW && !fb_message_is_ntfy (*message))
    g_clear_object (message);
  if (result == FB_MAPPING_IGNORE &&
      fb_reader_get_effective_format (listen->reader) == FB_MESSAGE_FORMAT_NTFY)
    return FB_MAPPING_IGNORE;

  return FB_MAPPING_SHOW;
}

/**
 * _fb_listen_get_ntfy_key:
 * @message: (nullable): what the event made
 *
 * Returns: (nullable): the id of ntfy's message @message, or %NULL when it
 *   is not one
 */
const char *
_fb_listen_get_ntfy_key (FbMessage *message)
{
  if (message == NULL || !fb_message_is_ntfy (message))
    return NULL;

  return fb_message_get_key (message);
}
