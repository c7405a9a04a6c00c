/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-format"

#include "config.h"

#include "fb-format.h"

#include "fb-enums.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * The formats: their names in the settings and for people, recognising a
 * service from an address or an event, and default feed names. The
 * built-in formats' rules and templates are in fb-format-mappings.c.
 *
 * "Automatic" recognises a service by the address first (its API's
 * paths), else by the first event only that service sends, and never
 * guesses from a payload that several services could send.
 */

/* The names people see; the settings' names are the enum's nicks
 * (fb-enums.h, made from fb-types.h), as for FbAuth. */
static const struct
{
  FbMessageFormat  format;
  const char      *label;
} formats[] = {
  { FB_MESSAGE_FORMAT_AUTO, N_("Automatic") },
  { FB_MESSAGE_FORMAT_PLAIN, N_("Plain text") },
  { FB_MESSAGE_FORMAT_NTFY, N_("ntfy") },
  { FB_MESSAGE_FORMAT_MASTODON, N_("Mastodon") },
  { FB_MESSAGE_FORMAT_WIKIMEDIA, N_("Wikimedia EventStreams") },
  { FB_MESSAGE_FORMAT_HOME_ASSISTANT, N_("Home Assistant") },
  { FB_MESSAGE_FORMAT_FIREBASE, N_("Firebase Realtime Database") },
  { FB_MESSAGE_FORMAT_MERCURE, N_("Mercure") },
  { FB_MESSAGE_FORMAT_WOODPECKER, N_("Woodpecker CI") },
  { FB_MESSAGE_FORMAT_JSON, N_("Generic JSON") },
  { FB_MESSAGE_FORMAT_CUSTOM, N_("Custom") },
};

/**
 * fb_format_to_nick:
 *
 * Returns: the name of @format in the settings ("home-assistant"),
 *   "auto" for a value that is not a format
 */
const char *
fb_format_to_nick (FbMessageFormat format)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_MESSAGE_FORMAT);
  GEnumValue *value = g_enum_get_value (klass, format);

  return value != NULL ? value->value_nick : "auto";
}

/**
 * fb_format_from_nick:
 *
 * Returns: the format named @nick, %FB_MESSAGE_FORMAT_AUTO for an unknown name
 */
FbMessageFormat
fb_format_from_nick (const char *nick)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_MESSAGE_FORMAT);
  GEnumValue *value = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;

  return value != NULL ? (FbMessageFormat) value->value : FB_MESSAGE_FORMAT_AUTO;
}

/**
 * fb_format_get_label:
 *
 * Returns: the format's name for people, translated
 */
const char *
fb_format_get_label (FbMessageFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (formats[i].format == format)
        return _(formats[i].label);
    }
  return _("Automatic");
}

/* --- recognising a service ----------------------------------------------- */

static gboolean
has_suffix_ci (const char *text,
               const char *suffix)
{
  gsize len = strlen (text), suffix_len = strlen (suffix);

  return len >= suffix_len && g_ascii_strcasecmp (text + len - suffix_len, suffix) == 0;
}

/**
 * fb_format_guess_from_url:
 *
 * Returns: the service whose API @url is on, or %FB_MESSAGE_FORMAT_AUTO
 *   when the address does not say
 */
FbMessageFormat
fb_format_guess_from_url (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;
  const char *path, *host;

  if (uri == NULL)
    return FB_MESSAGE_FORMAT_AUTO;

  path = g_uri_get_path (uri);
  host = g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "";

  if (strstr (path, "/api/v1/streaming") != NULL)
    return FB_MESSAGE_FORMAT_MASTODON;
  if (g_str_has_prefix (path, "/v2/stream/") || g_ascii_strcasecmp (host, "stream.wikimedia.org") == 0)
    return FB_MESSAGE_FORMAT_WIKIMEDIA;
  if (g_str_has_suffix (path, "/api/stream/events") || g_str_has_suffix (path, "/api/stream/sse/events"))
    return FB_MESSAGE_FORMAT_WOODPECKER;
  if (g_str_has_suffix (path, "/api/stream") || g_str_has_suffix (path, "/api/stream/"))
    return FB_MESSAGE_FORMAT_HOME_ASSISTANT;
  if (g_str_has_suffix (path, "/.well-known/mercure"))
    return FB_MESSAGE_FORMAT_MERCURE;
  if (has_suffix_ci (path, ".json") || has_suffix_ci (host, ".firebaseio.com") ||
      has_suffix_ci (host, ".firebasedatabase.app"))
    return FB_MESSAGE_FORMAT_FIREBASE;

  return FB_MESSAGE_FORMAT_AUTO;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
has_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/**
 * fb_format_guess_from_event:
 * @event_type: (nullable): the SSE event type
 * @payload: (nullable): the event's data as JSON
 *
 * Returns: the service only this event can come from, or
 *   %FB_MESSAGE_FORMAT_AUTO when it does not say
 */
FbMessageFormat
fb_format_guess_from_event (const char *event_type,
                            JsonNode   *payload)
{
  JsonObject *object;

  if (event_type == NULL)
    event_type = "";

  if (g_str_equal (event_type, "keep-alive") || g_str_equal (event_type, "auth_revoked"))
    return FB_MESSAGE_FORMAT_FIREBASE;
  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    return FB_MESSAGE_FORMAT_AUTO;

  object = json_node_get_object (payload);
  if (has_string (object, "event") && has_string (object, "topic"))
    return FB_MESSAGE_FORMAT_NTFY;
  if ((g_str_equal (event_type, "put") || g_str_equal (event_type, "patch")) &&
      has_string (object, "path") && json_object_has_member (object, "data"))
    return FB_MESSAGE_FORMAT_FIREBASE;
  if ((g_str_equal (event_type, "update") || g_str_equal (event_type, "status.update") ||
       g_str_equal (event_type, "notification")) && member_object (object, "account") != NULL)
    return FB_MESSAGE_FORMAT_MASTODON;
  if (has_string (member_object (object, "meta"), "domain") &&
      has_string (member_object (object, "meta"), "stream"))
    return FB_MESSAGE_FORMAT_WIKIMEDIA;
  if (has_string (object, "event_type") && has_string (object, "time_fired"))
    return FB_MESSAGE_FORMAT_HOME_ASSISTANT;
  if (member_object (object, "pipeline") != NULL && member_object (object, "repo") != NULL)
    return FB_MESSAGE_FORMAT_WOODPECKER;
  if (json_object_has_member (object, "@context") || json_object_has_member (object, "@type"))
    return FB_MESSAGE_FORMAT_MERCURE;

  return FB_MESSAGE_FORMAT_AUTO;
}

/* --- names --------------------------------------------------------------- */

/* The last non-empty segment of @path, without @suffix. */
static char *
last_segment (const char *path,
              const char *suffix)
{
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  guint n = g_strv_length (segments);

  for (guint i = n; i > 0; i--)
    {
      g_autofree char *segment = g_uri_unescape_string (segments[i - 1], NULL);

      /* A URI template's expression, as in a Mercure topic's
       * https://example.com/books/{id}, names nothing yet. */
      if (segment == NULL || *segment == '\0' || strchr (segment, '{') != NULL)
        continue;
      if (suffix != NULL && has_suffix_ci (segment, suffix))
        segment[strlen (segment) - strlen (suffix)] = '\0';
      if (*segment != '\0' && g_utf8_validate (segment, -1, NULL))
        return g_steal_pointer (&segment);
    }
  return NULL;
}

/* The first value of query parameter @name. */
static char *
query_param (GUri       *uri,
             const char *name)
{
  g_autoptr(GHashTable) params = NULL;
  const char *value;

  if (g_uri_get_query (uri) == NULL)
    return NULL;
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  value = params != NULL ? g_hash_table_lookup (params, name) : NULL;
  return value != NULL && g_utf8_validate (value, -1, NULL) ? g_strdup (value) : NULL;
}

static char *
feed_name_for (FbMessageFormat  format,
               const char      *url)
{
  /* Encoded: each part is unescaped once, where it is read, so that a %2F
   * stays in its segment and a %26 in its query parameter, and a %FF makes
   * one segment unusable rather than the whole address. */
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;
  g_autofree char *segment = NULL;
  g_autofree char *topic = NULL;
  const char *host, *path;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return g_strdup (url != NULL && *url != '\0' ? url : _("Unnamed feed"));

  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);
  if (format == FB_MESSAGE_FORMAT_AUTO)
    format = fb_format_guess_from_url (url);
  /* ntfy's topics are read by /TOPIC/sse, /TOPIC/json… */
  if (format == FB_MESSAGE_FORMAT_AUTO && strstr (host, "ntfy") != NULL)
    format = FB_MESSAGE_FORMAT_NTFY;

  switch (format)
    {
    case FB_MESSAGE_FORMAT_NTFY:
      {
        g_auto(GStrv) segments = g_strsplit (path + (path[0] == '/'), "/", 2);

        if (segments[0] != NULL && *segments[0] != '\0')
          {
            g_autofree char *name = g_uri_unescape_string (segments[0], NULL);

            if (name != NULL && g_utf8_validate (name, -1, NULL))
              /* TRANSLATORS: a feed's name: the service · the ntfy topic */
              return g_strdup_printf (_("ntfy · %s"), name);
          }
        return g_strdup_printf (_("ntfy · %s"), host);
      }
    case FB_MESSAGE_FORMAT_MASTODON:
      /* TRANSLATORS: a feed's name: the service · the server's host name */
      return g_strdup_printf (_("Mastodon · %s"), host);
    case FB_MESSAGE_FORMAT_WIKIMEDIA:
      segment = last_segment (path, NULL);
      if (g_strcmp0 (segment, "recentchange") == 0 || segment == NULL)
        return g_strdup (_("Wikipedia recent changes"));
      return g_strdup_printf (_("Wikimedia · %s"), segment);
    case FB_MESSAGE_FORMAT_HOME_ASSISTANT:
      return g_strdup_printf (_("Home Assistant · %s"), host);
    case FB_MESSAGE_FORMAT_FIREBASE:
      segment = last_segment (path, ".json");
      return g_strdup_printf (_("Firebase · %s"), segment != NULL ? segment : host);
    case FB_MESSAGE_FORMAT_MERCURE:
      topic = query_param (uri, "topic");
      segment = topic != NULL ? last_segment (topic, NULL) : NULL;
      return g_strdup_printf (_("Mercure · %s"), segment != NULL ? segment : host);
    case FB_MESSAGE_FORMAT_WOODPECKER:
      return g_strdup_printf (_("Woodpecker · %s"), host);
    case FB_MESSAGE_FORMAT_AUTO:
    case FB_MESSAGE_FORMAT_PLAIN:
    case FB_MESSAGE_FORMAT_JSON:
    case FB_MESSAGE_FORMAT_CUSTOM:
    default:
      segment = last_segment (path, NULL);
      if (segment != NULL)
        /* TRANSLATORS: a feed's name: the server's host name · the last
         * part of the address's path */
        return g_strdup_printf (_("%s · %s"), host, segment);
      return g_strdup (host);
    }
}

/* A name is a label in a list and a notification's title of last resort:
 * a topic or path segment of 100 kB must not make it one. */
#define MAX_FEED_NAME_CHARS 80

/**
 * fb_format_default_feed_name:
 * @format: the feed's format; for "Automatic", what the address says
 * @url: the feed's address
 *
 * Returns: (transfer full): a short name for a new feed: "ntfy · alerts",
 *   "Mastodon · social.example", "Wikipedia recent changes"; never the
 *   whole address, and at most MAX_FEED_NAME_CHARS characters
 */
char *
fb_format_default_feed_name (FbMessageFormat  format,
                             const char      *url)
{
  g_autofree char *name = feed_name_for (format, url);
  g_autofree char *valid = g_utf8_make_valid (name, -1);
  g_autofree char *cut = NULL;

  if (g_utf8_strlen (valid, -1) <= MAX_FEED_NAME_CHARS)
    return g_steal_pointer (&valid);

  cut = g_utf8_substring (valid, 0, MAX_FEED_NAME_CHARS - 1);
  return g_strconcat (cut, "…", NULL);
}
