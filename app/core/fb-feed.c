/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed"

#include "config.h"

#include "fb-feed-private.h"

#include <string.h>

#include "fb-enums.h"
#include "fb-format.h"
#include "fb-util-private.h"

#include <glib/gi18n-lib.h>

/*
 * One feed: its configuration (bound to GSettings by its FbFeedRunner, or
 * set by hand by the CLI and tests) and, while it runs, its connection.
 * It says in words how the feed is doing, the same words in the tray menu,
 * the window and `feedbell --status` (fb-feed-status.c).
 */

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_URL,
  PROP_ENABLED,
  PROP_FORMAT,
  PROP_EVENT_TYPES,
  PROP_IDLE_TIMEOUT,
  PROP_MUTED,
  PROP_MIN_PRIORITY,
  PROP_SNOOZED_UNTIL,
  PROP_READING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FbFeed, fb_feed, G_TYPE_OBJECT)

static void
fb_feed_finalize (GObject *object)
{
  FbFeed *self = FB_FEED (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->event_types, g_strfreev);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->content_error, g_free);
  g_clear_pointer (&self->last_event_type, g_free);
  g_clear_pointer (&self->last_event_data, g_bytes_unref);
  g_clear_pointer (&self->last_event_id, g_free);
  g_clear_pointer (&self->default_name, g_free);

  G_OBJECT_CLASS (fb_feed_parent_class)->finalize (object);
}

static void
fb_feed_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  FbFeed *self = FB_FEED (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_URL: g_value_set_string (value, self->url); break;
    case PROP_ENABLED: g_value_set_boolean (value, self->enabled); break;
    case PROP_FORMAT: g_value_set_enum (value, self->format); break;
    case PROP_EVENT_TYPES: g_value_set_boxed (value, self->event_types); break;
    case PROP_IDLE_TIMEOUT: g_value_set_uint (value, self->idle_timeout); break;
    case PROP_MUTED: g_value_set_boolean (value, self->muted); break;
    case PROP_MIN_PRIORITY: g_value_set_uint (value, self->min_priority); break;
    case PROP_SNOOZED_UNTIL: g_value_set_int64 (value, self->snoozed_until); break;
    case PROP_READING: g_value_set_boolean (value, TRUE); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Returns: whether @types differ from the feed's, which then become @types */
static gboolean
set_event_types (FbFeed             *self,
                 const char * const *types)
{
  gboolean changed = !(types == NULL && self->event_types == NULL) &&
                     (types == NULL || self->event_types == NULL ||
                      !g_strv_equal (types, (const char * const *) self->event_types));

  if (changed)
    {
      g_strfreev (self->event_types);
      self->event_types = g_strdupv ((char **) types);
    }

  return changed;
}

static void
fb_feed_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  FbFeed *self = FB_FEED (object);
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_NAME:
      changed = _fb_set_str (&self->name, g_value_get_string (value));
      break;
    case PROP_URL:
      changed = _fb_set_str (&self->url, g_value_get_string (value));
      if (changed)
        g_clear_pointer (&self->default_name, g_free);
      break;
    case PROP_ENABLED:
      changed = self->enabled != g_value_get_boolean (value);
      self->enabled = g_value_get_boolean (value);
      break;
    case PROP_FORMAT:
      changed = self->format != (FbMessageFormat) g_value_get_enum (value);
      self->format = g_value_get_enum (value);
      if (changed)
        g_clear_pointer (&self->default_name, g_free);
      break;
    case PROP_EVENT_TYPES:
      changed = set_event_types (self, g_value_get_boxed (value));
      break;
    case PROP_IDLE_TIMEOUT:
      changed = self->idle_timeout != g_value_get_uint (value);
      self->idle_timeout = g_value_get_uint (value);
      break;
    case PROP_MIN_PRIORITY:
      changed = self->min_priority != g_value_get_uint (value);
      self->min_priority = g_value_get_uint (value);
      break;
    case PROP_MUTED:
      changed = self->muted != g_value_get_boolean (value);
      self->muted = g_value_get_boolean (value);
      break;
    case PROP_SNOOZED_UNTIL:
      changed = self->snoozed_until != g_value_get_int64 (value);
      self->snoozed_until = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
fb_feed_class_init (FbFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = fb_feed_finalize;
  object_class->get_property = fb_feed_get_property;
  object_class->set_property = fb_feed_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "", rw);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, "", rw);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, TRUE, rw);
  properties[PROP_FORMAT] = g_param_spec_enum ("format", NULL, NULL, FB_TYPE_MESSAGE_FORMAT,
                                               FB_MESSAGE_FORMAT_AUTO, rw);
  properties[PROP_EVENT_TYPES] = g_param_spec_boxed ("event-types", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_IDLE_TIMEOUT] = g_param_spec_uint ("idle-timeout", NULL, NULL, 1, 24 * 3600,
                                                     FB_SSE_DEFAULT_IDLE_TIMEOUT, rw);
  properties[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE, rw);
  properties[PROP_MIN_PRIORITY] = g_param_spec_uint ("min-priority", NULL, NULL, 1, 5, 1, rw);
  properties[PROP_SNOOZED_UNTIL] = g_param_spec_int64 ("snoozed-until", NULL, NULL,
                                                       0, G_MAXINT64, 0, rw);
  /* Only a notification: fb_feed_set_reading() sets what it stands for. */
  properties[PROP_READING] = g_param_spec_boolean ("reading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fb_feed_init (FbFeed *self)
{
  self->name = g_strdup ("");
  self->url = g_strdup ("");
  self->enabled = TRUE;
  self->idle_timeout = FB_SSE_DEFAULT_IDLE_TIMEOUT;
  self->min_priority = 1;
}

FbFeed *
fb_feed_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (FB_TYPE_FEED, "id", id, NULL);
}

const char *
fb_feed_get_id (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  return self->id;
}

/**
 * fb_feed_get_display_name:
 *
 * Returns: the name, or one made from the URL and the format when the feed
 *   has none ("Mastodon · social.example")
 */
const char *
fb_feed_get_display_name (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  if (self->name != NULL && self->name[0] != '\0')
    return self->name;
  if (self->url != NULL && self->url[0] != '\0')
    {
      if (self->default_name == NULL)
        self->default_name = fb_format_default_feed_name (self->format, self->url);
      return self->default_name;
    }

  return _("Unnamed feed");
}

const char *
fb_feed_get_url (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  return self->url;
}

gboolean
fb_feed_get_enabled (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), FALSE);

  return self->enabled;
}

FbMessageFormat
fb_feed_get_format (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), FB_MESSAGE_FORMAT_AUTO);

  return self->format;
}

/**
 * fb_feed_accepts_type:
 *
 * @event_type_len: its length: a type may hold a NUL
 *
 * Returns: whether events of @event_type are shown (an empty filter shows all)
 */
gboolean
fb_feed_accepts_type (FbFeed     *self,
                      const char *event_type,
                      gsize       event_type_len)
{
  g_return_val_if_fail (FB_IS_FEED (self), FALSE);

  if (self->event_types == NULL || self->event_types[0] == NULL)
    return TRUE;

  /* The filter's types have none: "t\0x" is not "t". */
  if (strlen (event_type) != event_type_len)
    return FALSE;

  return g_strv_contains ((const char * const *) self->event_types, event_type);
}

guint
fb_feed_get_idle_timeout (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), FB_SSE_DEFAULT_IDLE_TIMEOUT);

  return self->idle_timeout;
}

gboolean
fb_feed_get_muted (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), FALSE);

  return self->muted;
}

/**
 * fb_feed_get_min_priority:
 *
 * Returns: the lowest priority (1–5) that notifies; lower ones are only kept
 */
guint
fb_feed_get_min_priority (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), 1);

  return self->min_priority;
}

/**
 * fb_feed_get_snoozed_until:
 *
 * Returns: the wall-clock µs until which the feed notifies nothing; 0 for none
 */
gint64
fb_feed_get_snoozed_until (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), 0);

  return self->snoozed_until;
}

/**
 * fb_feed_set_snoozed_until:
 * @wall_time_us: g_get_real_time() until which the feed notifies nothing; 0 ends a snooze
 */
void
fb_feed_set_snoozed_until (FbFeed *self,
                           gint64  wall_time_us)
{
  g_return_if_fail (FB_IS_FEED (self));

  g_object_set (self, "snoozed-until", MAX (wall_time_us, 0), NULL);
}

/**
 * fb_feed_is_snoozed_at:
 * @now_real: the wall-clock time to judge by, in µs
 *
 * A snooze is judged by the wall clock: it ends on time even when the
 * machine slept through the timer that says so.
 *
 * Returns: whether the feed notifies nothing at @now_real
 */
gboolean
fb_feed_is_snoozed_at (FbFeed *self,
                       gint64  now_real)
{
  g_return_val_if_fail (FB_IS_FEED (self), FALSE);

  return self->snoozed_until > now_real;
}

gboolean
fb_feed_is_snoozed (FbFeed *self)
{
  return fb_feed_is_snoozed_at (self, g_get_real_time ());
}

FbSseConnection *
fb_feed_get_connection (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  return self->connection;
}

void
fb_feed_set_connection (FbFeed          *self,
                        FbSseConnection *connection)
{
  g_return_if_fail (FB_IS_FEED (self));

  g_set_object (&self->connection, connection);
}


/**
 * fb_feed_set_reading:
 * @recognised_format: the format in use; for "Automatic", the one
 *   recognised so far (%FB_MESSAGE_FORMAT_AUTO while none is)
 * @content_error: (nullable): why the feed's own templates or rules are
 *   not used
 * @n_ignored_today: how many events the rules ignored today
 *
 * Set by the feed's runner; the status text says it. Emits notify::reading
 * when something changed.
 */
void
fb_feed_set_reading (FbFeed          *self,
                     FbMessageFormat  recognised_format,
                     const char      *content_error,
                     guint            n_ignored_today)
{
  g_return_if_fail (FB_IS_FEED (self));

  if (self->recognised_format == recognised_format &&
      g_strcmp0 (self->content_error, content_error) == 0 &&
      self->n_ignored_today == n_ignored_today)
    return;

  self->recognised_format = recognised_format;
  g_free (self->content_error);
  self->content_error = g_strdup (content_error);
  self->n_ignored_today = n_ignored_today;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READING]);
}

FbMessageFormat
fb_feed_get_recognised_format (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), FB_MESSAGE_FORMAT_AUTO);

  return self->recognised_format;
}

const char *
fb_feed_get_content_error (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  return self->content_error;
}

guint
fb_feed_get_n_ignored_today (FbFeed *self)
{
  g_return_val_if_fail (FB_IS_FEED (self), 0);

  return self->n_ignored_today;
}

/* The editor's preview shows what the last event would give; longer data
 * is not kept (a hundred feeds keep at most 6.4 MiB). */
#define MAX_KEPT_EVENT (64 * 1024)

/**
 * fb_feed_set_last_event:
 *
 * Keeps the last event received, for the editor's preview (not saved);
 * an event over 64 KiB is not kept, and the one before is forgotten.
 */
void
fb_feed_set_last_event (FbFeed     *self,
                        const char *event_type,
                        const char *data,
                        gsize       data_len,
                        const char *event_id)
{
  g_return_if_fail (FB_IS_FEED (self));

  g_clear_pointer (&self->last_event_data, g_bytes_unref);
  if (data_len > MAX_KEPT_EVENT)
    return;

  g_free (self->last_event_type);
  self->last_event_type = g_strdup (event_type != NULL ? event_type : "");
  self->last_event_data = g_bytes_new (data, data_len);
  g_free (self->last_event_id);
  self->last_event_id = g_strdup (event_id != NULL ? event_id : "");
}

/**
 * fb_feed_get_last_event:
 * @event_type: (out) (optional) (transfer none):
 * @event_id: (out) (optional) (transfer none):
 *
 * Returns: (transfer none) (nullable): the last event's data, %NULL when
 *   none was received since the app started
 */
GBytes *
fb_feed_get_last_event (FbFeed      *self,
                        const char **event_type,
                        const char **event_id)
{
  g_return_val_if_fail (FB_IS_FEED (self), NULL);

  if (event_type != NULL)
    *event_type = self->last_event_type;
  if (event_id != NULL)
    *event_id = self->last_event_id;
  return self->last_event_data;
}
