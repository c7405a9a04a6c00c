/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-runner"

#include "config.h"

#include "fb-feed-runner-private.h"

#include "fb-format.h"

#include <glib/gi18n-lib.h>

/*
 * What the runner does with each event: read it with the feed's FbReader
 * (its format, or its own templates and rules), drop replays, and count
 * what its rules ignored today for the feed's status. The reader is made
 * again when a setting it depends on changes.
 */

/* Settings that change how events are read. */
static const char * const reading_keys[] = {
  "format", "title-template", "body-template", "link-template", "icon-template",
  "priority-template", "key-template", "group-template", "ignore", "skip-first",
};

/* Today, as the user's calendar says, on the runner's clock. */
static guint
local_day (FbFeedRunner *self)
{
  g_autoptr(GDateTime) now =
    g_date_time_new_from_unix_local (fb_clock_get_real (self->clock) / G_USEC_PER_SEC);
  int year, month, day;

  if (now == NULL)
    return 0;
  g_date_time_get_ymd (now, &year, &month, &day);
  return (guint) (year * 10000 + month * 100 + day);
}

static void
publish_reading (FbFeedRunner *self)
{
  if (self->ignored_day != 0 && self->ignored_day != local_day (self))
    {
      self->ignored_day = 0;
      self->n_ignored_today = 0;
    }
  fb_feed_set_reading (self->feed,
                       self->reader != NULL ? fb_reader_get_effective_format (self->reader)
                                            : FB_MESSAGE_FORMAT_AUTO,
                       self->content_error, self->n_ignored_today);
}

/* The feed's own mapping, from its settings; %NULL with @error when a
 * template or rule stored there does not parse. */
static FbMapping *
custom_mapping (FbFeedRunner  *self,
                GError       **error)
{
  char *templates[FB_MAPPING_N_FIELDS] = { NULL, };
  g_auto(GStrv) rules = g_settings_get_strv (self->settings, "ignore");
  FbMapping *mapping;

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    templates[i] = g_settings_get_string (self->settings, fb_mapping_field_to_key (i));

  mapping = fb_mapping_new_custom ((const char * const *) templates, (const char * const *) rules,
                                   g_settings_get_boolean (self->settings, "skip-first"), error);
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    g_free (templates[i]);
  return mapping;
}

void
_fb_feed_runner_reset_reader (FbFeedRunner *self)
{
  FbMessageFormat format = g_settings_get_enum (self->settings, "format");
  g_autoptr(FbMapping) mapping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_settings_get_string (self->settings, "url");

  g_clear_pointer (&self->content_error, g_free);
  if (format == FB_MESSAGE_FORMAT_CUSTOM)
    {
      mapping = custom_mapping (self, &error);
      if (mapping == NULL)
        {
          /* Stored by hand, it does not parse: say so, and never show raw
           * JSON meanwhile. */
          g_message ("%s: %s", fb_feed_get_id (self->feed), error->message);
          self->content_error = g_strdup (error->message);
          format = FB_MESSAGE_FORMAT_JSON;
        }
    }

  g_clear_object (&self->reader);
  self->reader = fb_reader_new (format, mapping, url);
  publish_reading (self);
}

static void
reading_changed_cb (GSettings    *settings,
                    const char   *key,
                    FbFeedRunner *self)
{
  _fb_feed_runner_reset_reader (self);
}

void
_fb_feed_runner_bind_reading (FbFeedRunner *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (reading_keys); i++)
    {
      g_autofree char *signal = g_strconcat ("changed::", reading_keys[i], NULL);

      g_signal_connect (self->settings, signal, G_CALLBACK (reading_changed_cb), self);
    }
  g_signal_connect_swapped (self->settings, "changed::url",
                            G_CALLBACK (_fb_feed_runner_reset_reader), self);
  _fb_feed_runner_reset_reader (self);
}

void
_fb_feed_runner_connected (FbFeedRunner *self)
{
  if (self->reader != NULL)
    fb_reader_connected (self->reader);
}

static gboolean
midnight_cb (gpointer user_data)
{
  FbFeedRunner *self = user_data;

  self->midnight_id = 0;
  /* A new day: "ignored today" starts again, said at once. */
  publish_reading (self);
  return G_SOURCE_REMOVE;
}

/* Milliseconds from now to just past the next local midnight. */
static guint
ms_to_midnight (FbFeedRunner *self)
{
  g_autoptr(GDateTime) now =
    g_date_time_new_from_unix_local (fb_clock_get_real (self->clock) / G_USEC_PER_SEC);
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) tomorrow = NULL;

  if (now == NULL)
    return 24 * 3600 * 1000;
  today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now), 0, 0, 0);
  tomorrow = today != NULL ? g_date_time_add_days (today, 1) : NULL;
  if (tomorrow == NULL)
    return 24 * 3600 * 1000;
  return (guint) MIN (g_date_time_difference (tomorrow, now) / 1000 + 1000, 25 * 3600 * 1000);
}

static void
count_ignored (FbFeedRunner *self)
{
  guint today = local_day (self);

  if (self->ignored_day != today)
    {
      self->ignored_day = today;
      self->n_ignored_today = 0;
      fb_clock_clear_timeout (self->clock, &self->midnight_id);
      self->midnight_id = fb_clock_timeout_add (self->clock, ms_to_midnight (self),
                                                midnight_cb, self);
    }
  self->n_ignored_today++;
}

void
_fb_feed_runner_stop_reading (FbFeedRunner *self)
{
  fb_clock_clear_timeout (self->clock, &self->midnight_id);
}

/* Ignored or shown, an event with an id is past: a resume starts after it. */
static void
record_position (FbFeedRunner     *self,
                 const FbSseEvent *event)
{
  if (event->has_id)
    fb_event_log_record (self->log, event->last_event_id, NULL);
}

/**
 * _fb_feed_runner_read_event:
 *
 * Returns: (transfer full) (nullable): the message to show, %NULL when the
 *   event is ignored, a repeat, or ended the stream
 */
FbMessage *
_fb_feed_runner_read_event (FbFeedRunner     *self,
                            FbSseConnection  *connection,
                            const FbSseEvent *event)
{
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;
  FbMessageFormat before = fb_reader_get_effective_format (self->reader);
  FbMappingResult result;
  const char *key;
  gboolean ntfy;

  fb_feed_set_last_event (self->feed, event->type, event->data, event->data_len,
                          event->last_event_id);
  result = fb_reader_read (self->reader, fb_feed_get_display_name (self->feed),
                           event->type, event->data, event->data_len, event->last_event_id,
                           &message, &reason);
  if (fb_reader_get_effective_format (self->reader) != before)
    publish_reading (self);

  switch (result)
    {
    case FB_MAPPING_IGNORE:
      if (reason != NULL)
        {
          g_debug ("%s: ignored: %s", fb_feed_get_id (self->feed), reason);
          count_ignored (self);
          record_position (self, event);
          publish_reading (self);
        }
      return NULL;
    case FB_MAPPING_FAIL:
      g_message ("%s: %s", fb_feed_get_id (self->feed), reason);
      fb_sse_connection_fail (connection, g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_REFUSED,
                                                               reason));
      return NULL;
    case FB_MAPPING_SHOW:
      if (reason != NULL && g_strcmp0 (reason, self->last_render_error) != 0)
        {
          /* Once per reason, not once per event. */
          g_message ("%s: %s", fb_feed_get_id (self->feed), reason);
          g_free (self->last_render_error);
          self->last_render_error = g_steal_pointer (&reason);
        }
      break;
    default:
      g_assert_not_reached ();
    }

  /* ntfy sends no SSE ids: its messages are known by their JSON id, and
   * resumed with since=. Other messages may have a key of their own,
   * which the event log keeps apart from SSE ids. */
  key = fb_message_get_key (message);
  ntfy = fb_message_is_ntfy (message) && key != NULL;
  if ((ntfy && fb_event_log_has_seen (self->log, key)) ||
      (!ntfy && fb_event_log_has_seen_key (self->log, key)) ||
      (!ntfy && event->has_id && fb_event_log_has_seen (self->log, event->last_event_id)))
    {
      g_debug ("%s: dropping a repeat of %s", fb_feed_get_id (self->feed),
               key != NULL ? key : event->last_event_id);
      record_position (self, event);
      return NULL;
    }

  if (ntfy)
    {
      fb_event_log_record (self->log, key, "since");
      fb_sse_connection_set_query_param (connection, "since", key);
    }
  else
    {
      fb_event_log_remember_key (self->log, key);
      record_position (self, event);
    }

  return g_steal_pointer (&message);
}
