/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-reader"

#include "config.h"

#include "fb-reader.h"

#include "fb-format.h"
#include "fb-message-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * One feed's way of reading its events, the same in the app and in
 * feedbell-listen: its format (for "Automatic", the one recognised from the
 * address, else from the first event that says), its mapping, and the
 * count of events since the stream last connected, for "skip the first".
 *
 * Each event is parsed once. A mapping reads a few paths of it: those alone
 * are built (fb-json-select.c), the rest only checked; otherwise, and while
 * "Automatic" has not recognised the service (which reads the top-level
 * members), json-glib builds it all, with a parser kept for the next one.
 */

struct _FbReader
{
  GObject          parent_instance;

  FbMessageFormat  format;     /* as set: AUTO stays AUTO */
  FbMessageFormat  effective;  /* what is used: AUTO until recognised */
  FbMapping       *mapping;    /* for the formats made of templates */
  JsonParser      *parser;
  guint64          n_since_connect;
};

G_DEFINE_FINAL_TYPE (FbReader, fb_reader, G_TYPE_OBJECT)

static void
fb_reader_finalize (GObject *object)
{
  FbReader *self = FB_READER (object);

  g_clear_pointer (&self->mapping, fb_mapping_unref);
  g_clear_object (&self->parser);

  G_OBJECT_CLASS (fb_reader_parent_class)->finalize (object);
}

static void
fb_reader_class_init (FbReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fb_reader_finalize;
}

static void
fb_reader_init (FbReader *self)
{
  self->parser = json_parser_new_immutable ();
}

static void
use_format (FbReader        *self,
            FbMessageFormat  format)
{
  self->effective = format;
  if (fb_format_is_builtin_mapping (format))
    {
      g_clear_pointer (&self->mapping, fb_mapping_unref);
      self->mapping = fb_format_dup_mapping (format);
    }
}

/**
 * fb_reader_new:
 * @format: the feed's format
 * @custom: (nullable): the feed's own mapping, for %FB_MESSAGE_FORMAT_CUSTOM
 * @url: (nullable): the feed's address, which "Automatic" looks at first
 *
 * Returns: (transfer full): a new reader
 */
FbReader *
fb_reader_new (FbMessageFormat  format,
               FbMapping       *custom,
               const char      *url)
{
  FbReader *self = g_object_new (FB_TYPE_READER, NULL);

  self->format = format;
  if (format == FB_MESSAGE_FORMAT_CUSTOM)
    {
      self->effective = format;
      self->mapping = custom != NULL ? fb_mapping_ref (custom) : fb_mapping_new ();
    }
  else if (format == FB_MESSAGE_FORMAT_AUTO)
    use_format (self, fb_format_guess_from_url (url));
  else
    use_format (self, format);

  return self;
}

/**
 * fb_reader_connected:
 *
 * The stream has just opened: the next event is the first since.
 */
void
fb_reader_connected (FbReader *self)
{
  g_return_if_fail (FB_IS_READER (self));

  self->n_since_connect = 0;
}

/**
 * fb_reader_get_format:
 *
 * Returns: the format as set
 */
FbMessageFormat
fb_reader_get_format (FbReader *self)
{
  g_return_val_if_fail (FB_IS_READER (self), FB_MESSAGE_FORMAT_AUTO);

  return self->format;
}

/**
 * fb_reader_get_effective_format:
 *
 * Returns: the format used: for "Automatic", the one recognised, or
 *   %FB_MESSAGE_FORMAT_AUTO while none has been
 */
FbMessageFormat
fb_reader_get_effective_format (FbReader *self)
{
  g_return_val_if_fail (FB_IS_READER (self), FB_MESSAGE_FORMAT_AUTO);

  return self->effective;
}

/* Data that services send only to keep a stream alive (Home Assistant's
 * "ping", Firebase's and Mastodon's "null" and "undefined"): before a
 * format is recognised, never a notification. */
static gboolean
is_keep_alive (const char *data,
               gsize       data_len)
{
  static const char * const words[] = { "ping", "null", "undefined" };

  while (data_len > 0 && g_ascii_isspace (data[0]))
    data++, data_len--;
  while (data_len > 0 && g_ascii_isspace (data[data_len - 1]))
    data_len--;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (data_len == strlen (words[i]) && memcmp (data, words[i], data_len) == 0)
        return TRUE;
    }
  return FALSE;
}

/**
 * fb_reader_read:
 * @feed_name: (nullable): the feed's name, the title of last resort
 * @event_type: (nullable): the SSE event type
 * @data: the data, valid UTF-8
 * @data_len: its length in bytes
 * @event_id: (nullable): the SSE last event id
 * @message: (out) (optional): for %FB_MAPPING_SHOW, the message
 * @reason: (out) (optional): see fb_mapping_apply(); %NULL for an event
 *   that only keeps the stream alive in a format read in C (ntfy's
 *   keepalive), which is not worth counting
 *
 * Returns: what to do with the event
 */
FbMappingResult
fb_reader_read (FbReader    *self,
                const char  *feed_name,
                const char  *event_type,
                const char  *data,
                gsize        data_len,
                const char  *event_id,
                FbMessage  **message,
                char       **reason)
{
  g_autoptr(FbMessage) result = NULL;
  g_autoptr(JsonNode) selected = NULL;
  JsonNode *payload = NULL;
  guint64 n;

  g_return_val_if_fail (FB_IS_READER (self), FB_MAPPING_IGNORE);

  if (message != NULL)
    *message = NULL;
  if (reason != NULL)
    *reason = NULL;

  n = self->n_since_connect++;
  if (self->mapping != NULL && self->effective != FB_MESSAGE_FORMAT_AUTO &&
      !fb_json_select_is_whole (fb_mapping_get_selection (self->mapping)))
    payload = selected = fb_json_select_parse (fb_mapping_get_selection (self->mapping),
                                               data, data_len);
  /* NULL for anything json-glib might read otherwise: it decides. */
  if (payload == NULL && self->effective != FB_MESSAGE_FORMAT_PLAIN)
    payload = _fb_message_parse_node (self->parser, data, data_len);

  if (self->effective == FB_MESSAGE_FORMAT_AUTO)
    {
      FbMessageFormat guess = fb_format_guess_from_event (event_type, payload);

      if (guess != FB_MESSAGE_FORMAT_AUTO)
        {
          g_debug ("%s: recognised as %s", feed_name, fb_format_to_nick (guess));
          use_format (self, guess);
        }
      else if (is_keep_alive (data, data_len))
        {
          /* Not a rule's doing: not counted, as ntfy's keepalive is not. */
          return FB_MAPPING_IGNORE;
        }
    }

  if (self->mapping != NULL)
    {
      if (n == 0 && fb_mapping_get_skip_first (self->mapping))
        {
          if (reason != NULL)
            *reason = g_strdup (_("the first event after connecting"));
          return FB_MAPPING_IGNORE;
        }
      return fb_mapping_apply (self->mapping, feed_name, event_type, data, data_len,
                               payload, event_id, message, reason);
    }

  result = _fb_message_new_read (feed_name, self->effective, event_type, data, data_len,
                                 payload != NULL && JSON_NODE_HOLDS_OBJECT (payload)
                                   ? json_node_get_object (payload) : NULL,
                                 event_id);
  if (!fb_message_is_notification (result) && fb_message_get_kind (result) == FB_MESSAGE_KIND_MESSAGE)
    return FB_MAPPING_IGNORE;

  if (message != NULL)
    *message = g_steal_pointer (&result);
  return FB_MAPPING_SHOW;
}
