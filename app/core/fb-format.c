/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-format"

#include "config.h"

#include "fb-format.h"

#include "fb-enums.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * The built-in formats are mappings like any feed's own (fb-mapping.h),
 * written here from each service's documentation; the fixtures in
 * tests/data/formats/ are streams in each format, with the notifications
 * they must give. Words in the templates ("mentioned you") are translated
 * when the mapping is made, so a copy into "Custom" is in the user's
 * language.
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

/**
 * fb_format_is_builtin_mapping:
 *
 * Returns: whether @format is made of rules and templates
 *   (fb_format_dup_mapping() gives them), rather than read in C
 */
gboolean
fb_format_is_builtin_mapping (FbMessageFormat format)
{
  switch (format)
    {
    case FB_MESSAGE_FORMAT_MASTODON:
    case FB_MESSAGE_FORMAT_WIKIMEDIA:
    case FB_MESSAGE_FORMAT_HOME_ASSISTANT:
    case FB_MESSAGE_FORMAT_FIREBASE:
    case FB_MESSAGE_FORMAT_MERCURE:
    case FB_MESSAGE_FORMAT_WOODPECKER:
      return TRUE;
    case FB_MESSAGE_FORMAT_AUTO:
    case FB_MESSAGE_FORMAT_PLAIN:
    case FB_MESSAGE_FORMAT_NTFY:
    case FB_MESSAGE_FORMAT_JSON:
    case FB_MESSAGE_FORMAT_CUSTOM:
    default:
      return FALSE;
    }
}

/* --- the built-in mappings ----------------------------------------------- */

/* One variant: a condition (or NULL) and its templates. The words are
 * formatted into the template with printf, so a translation can put the
 * name where its language wants it. A translation that breaks the
 * template (a stray "{{") loses that variant, not the app: the events it
 * would have worded go to the next one, or to the generic reading.
 * (test-mapping checks that every built-in parses in English.) */
static void
add (FbMapping  *mapping,
     const char *condition,
     const char *title,
     const char *body,
     const char *link,
     const char *icon,
     const char *key,
     const char *group)
{
  const char *templates[FB_MAPPING_N_FIELDS] = { title, body, link, icon, NULL, key, group };
  g_autoptr(GError) error = NULL;

  if (!fb_mapping_add_variant (mapping, condition, templates, &error))
    g_critical ("A built-in format does not parse: %s", error->message);
}

static void
add_rule (FbMapping  *mapping,
          const char *rule)
{
  g_autoptr(GError) error = NULL;

  if (!fb_mapping_add_rule (mapping, rule, &error))
    g_critical ("A built-in rule does not parse: %s", error->message);
}

#define ACCOUNT "{{ .account.display_name | default .account.username }}"
#define STATUS_TEXT "{{ .status.spoiler_text | default .status.content | striphtml }}"

static FbMapping *
mastodon (void)
{
  FbMapping *m = fb_mapping_new ();
  g_autofree char *mention = g_strdup_printf (_("%s mentioned you"), ACCOUNT);
  g_autofree char *favourite = g_strdup_printf (_("%s favourited your post"), ACCOUNT);
  g_autofree char *reblog = g_strdup_printf (_("%s boosted your post"), ACCOUNT);
  g_autofree char *follow = g_strdup_printf (_("%s followed you"), ACCOUNT);
  g_autofree char *follow_request = g_strdup_printf (_("%s requested to follow you"), ACCOUNT);
  g_autofree char *status = g_strdup_printf (_("%s posted"), ACCOUNT);
  g_autofree char *update = g_strdup_printf (_("%s edited a post"), ACCOUNT);
  g_autofree char *quote = g_strdup_printf (_("%s quoted your post"), ACCOUNT);
  g_autofree char *other = g_strdup_printf (_("Notification from %s"), ACCOUNT);
  g_autofree char *boosted = g_strdup_printf (_("%s boosted %s"),
                                              "{{ .account.display_name | default .account.username }}",
                                              "{{ .reblog.account.display_name | default .reblog.account.username }}");
  g_autofree char *direct = g_strdup_printf (_("Direct message from %s"),
                                             "{{ .last_status.account.display_name | default .last_status.account.username }}");
  const char *n_link = "{{ .status.url | default .status.uri }}";
  const char *n_icon = "{{ .account.avatar_static | default .account.avatar }}";
  const char *n_key = "notification {{ .data.id }}";

  /* Deletions and filter changes are bookkeeping for a timeline. */
  add_rule (m, "event in [\"delete\", \"filters_changed\", \"announcement.delete\", "
               "\"announcement.reaction\", \"notifications_merged\", \"encrypted_message\"]");

  add (m, "event == \"notification\" and .type == \"mention\"",
       mention, STATUS_TEXT, n_link, n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"favourite\"",
       favourite, STATUS_TEXT, n_link, n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"reblog\"",
       reblog, STATUS_TEXT, n_link, n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"quote\"",
       quote, STATUS_TEXT, n_link, n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"status\"",
       status, STATUS_TEXT, n_link, n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"update\"",
       update, STATUS_TEXT, n_link, n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"follow\"",
       follow, "@{{ .account.acct }}", "{{ .account.url }}", n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"follow_request\"",
       follow_request, "@{{ .account.acct }}", "{{ .account.url }}", n_icon, n_key, NULL);
  add (m, "event == \"notification\" and .type == \"poll\"",
       _("A poll has ended"), STATUS_TEXT, n_link, n_icon, n_key, NULL);
  add (m, "event == \"notification\"",
       other, "{{ .type }}", n_link, n_icon, n_key, NULL);
  add (m, "event == \"conversation\"",
       direct, "{{ .last_status.content | striphtml }}", "{{ .last_status.url }}",
       "{{ .last_status.account.avatar }}", "conversation {{ .last_status.id }}", NULL);
  add (m, "event == \"announcement\"",
       _("Announcement"), "{{ .content | striphtml }}", NULL, NULL, "announcement {{ .data.id }}",
       "announcement {{ .data.id }}");
  add (m, "event == \"update\" and .reblog != null",
       boosted, "{{ .reblog.spoiler_text | default .reblog.content | striphtml }}",
       "{{ .reblog.url | default .reblog.uri }}", "{{ .account.avatar }}",
       "status {{ .data.id }}", NULL);
  /* An edit has the id of the status it changes: its key adds the time
   * of the edit, and its group replaces the first notification. */
  add (m, NULL,
       ACCOUNT, "{{ .spoiler_text | default .content | striphtml }}", "{{ .url | default .uri }}",
       "{{ .account.avatar_static | default .account.avatar }}",
       "status {{ .data.id }} {{ .edited_at | default \"\" }}", "status {{ .data.id }}");
  return m;
}

static FbMapping *
wikimedia (void)
{
  FbMapping *m = fb_mapping_new ();
  g_autofree char *title = g_strdup_printf (_("%s on %s"), "{{ .title }}", "{{ .server_name | default .wiki }}");
  const char *diff = "{{ .server_url }}{{ .server_script_path }}/index.php?diff={{ .revision.new }}&oldid={{ .revision.old }}";

  /* EventStreams' own liveness checks. */
  add_rule (m, ".meta.domain == \"canary\"");

  add (m, ".type == \"edit\" and .comment != \"\"",
       title, "{{ .user }}: {{ .comment }}", diff, NULL, "{{ .meta.id }}", NULL);
  add (m, ".type == \"edit\"",
       title, "{{ .user }}", diff, NULL, "{{ .meta.id }}", NULL);
  add (m, ".type == \"log\"",
       title, "{{ .user }}: {{ .log_action_comment | default .log_action }}",
       "{{ .title_url | default .meta.uri }}", NULL, "{{ .meta.id }}", NULL);
  add (m, ".comment != \"\"",
       title, "{{ .user }}: {{ .comment }}", "{{ .title_url | default .meta.uri }}", NULL,
       "{{ .meta.id }}", NULL);
  add (m, NULL,
       title, "{{ .user }}", "{{ .title_url | default .meta.uri }}", NULL, "{{ .meta.id }}", NULL);
  return m;
}

static FbMapping *
home_assistant (void)
{
  FbMapping *m = fb_mapping_new ();
  g_autofree char *was = g_strdup_printf (_("Was %s"), "{{ .data.old_state.state }}");

  /* Sent when the stream opens and as its keep-alive. */
  add_rule (m, "data == \"ping\"");

  add (m, ".event_type == \"state_changed\" and .data.new_state == null",
       "{{ .data.old_state.attributes.friendly_name | default .data.entity_id }}",
       _("Removed"), NULL, NULL, NULL, "{{ .data.entity_id }}");
  add (m, ".event_type == \"state_changed\" and .data.old_state != null",
       "{{ .data.new_state.attributes.friendly_name | default .data.entity_id }}: {{ .data.new_state.state }}",
       was, NULL, NULL, NULL, "{{ .data.entity_id }}");
  add (m, ".event_type == \"state_changed\"",
       "{{ .data.new_state.attributes.friendly_name | default .data.entity_id }}: {{ .data.new_state.state }}",
       "{{ .data.entity_id }}", NULL, NULL, NULL, "{{ .data.entity_id }}");
  add (m, NULL,
       "{{ .event_type }}", "{{ .data | pairs }}", NULL, NULL, NULL, NULL);
  return m;
}

static FbMapping *
firebase (void)
{
  FbMapping *m = fb_mapping_new ();

  add_rule (m, "event == \"keep-alive\"");
  /* The first event after connecting is a snapshot of the whole location. */
  fb_mapping_set_skip_first (m, TRUE);
  fb_mapping_add_failure (m, "cancel",
                          _("Firebase ended the stream: the database’s security rules no "
                            "longer allow reading this location"));
  fb_mapping_add_failure (m, "auth_revoked",
                          _("Firebase revoked the credentials: enter a new access token "
                            "for this feed"));

  add (m, ".data == null",
       "{{ .path }}", _("Deleted"), NULL, NULL, NULL, NULL);
  add (m, NULL,
       "{{ .path }}", "{{ .data | pairs }}", NULL, NULL, NULL, NULL);
  return m;
}

static FbMapping *
mercure (void)
{
  FbMapping *m = fb_mapping_new ();

  /* The hub's own subscription events: `event: mercure` since 1.0, and
   * objects of type "Subscription" with no event type before. */
  add_rule (m, "event == \"mercure\"");
  add_rule (m, ".type in [\"Subscription\", \"subscription\"] and .subscriber != null");

  /* An update need not have an image: none is no reason to log. */
  add (m, NULL,
       "{{ .name | default .headline | default .title | default .@type }}",
       "{{ .description | default .text | default .articleBody | default .@id }}",
       "{{ .url | default .@id }}", "{{ .image | default .logo | default \"\" }}", NULL, NULL);
  return m;
}

#define REPO "{{ .repo.name }}", "{{ .pipeline.number }}", "{{ .pipeline.branch }}"

static void
woodpecker_status (FbMapping  *m,
                   const char *status,
                   char       *title)
{
  g_autofree char *owned_title = title;
  g_autofree char *condition = NULL;

  if (status != NULL)
    condition = g_strdup_printf (".pipeline.status == \"%s\"", status);
  add (m, condition, title,
       "{{ .pipeline.message | truncate 300 }}",
       "{{ .pipeline.forge_url | default .repo.forge_url }}",
       "{{ .pipeline.author_avatar }}",
       NULL, "{{ .repo.full_name }} {{ .pipeline.number }}");
}

/* Each pipeline sends an event as its status changes: the group makes each
 * one replace the notification of the one before. */
static FbMapping *
woodpecker (void)
{
  FbMapping *m = fb_mapping_new ();

  /* TRANSLATORS: a pipeline's outcome: repository #number … on branch */
  woodpecker_status (m, "success", g_strdup_printf (_("%s #%s passed on %s"), REPO));
  woodpecker_status (m, "failure", g_strdup_printf (_("%s #%s failed on %s"), REPO));
  woodpecker_status (m, "error", g_strdup_printf (_("%s #%s errored on %s"), REPO));
  woodpecker_status (m, "killed", g_strdup_printf (_("%s #%s was cancelled on %s"), REPO));
  woodpecker_status (m, "running", g_strdup_printf (_("%s #%s is running on %s"), REPO));
  woodpecker_status (m, "pending", g_strdup_printf (_("%s #%s is pending on %s"), REPO));
  woodpecker_status (m, "blocked", g_strdup_printf (_("%s #%s awaits approval on %s"), REPO));
  woodpecker_status (m, "declined", g_strdup_printf (_("%s #%s was declined on %s"), REPO));
  woodpecker_status (m, NULL, g_strdup ("{{ .repo.name }} #{{ .pipeline.number }}: {{ .pipeline.status }}"));
  return m;
}

/**
 * fb_format_dup_mapping:
 *
 * Returns: (transfer full) (nullable): the rules and templates of a
 *   built-in format, %NULL for the formats read in C and for "custom"
 */
FbMapping *
fb_format_dup_mapping (FbMessageFormat format)
{
  switch (format)
    {
    case FB_MESSAGE_FORMAT_MASTODON: return mastodon ();
    case FB_MESSAGE_FORMAT_WIKIMEDIA: return wikimedia ();
    case FB_MESSAGE_FORMAT_HOME_ASSISTANT: return home_assistant ();
    case FB_MESSAGE_FORMAT_FIREBASE: return firebase ();
    case FB_MESSAGE_FORMAT_MERCURE: return mercure ();
    case FB_MESSAGE_FORMAT_WOODPECKER: return woodpecker ();
    case FB_MESSAGE_FORMAT_AUTO:
    case FB_MESSAGE_FORMAT_PLAIN:
    case FB_MESSAGE_FORMAT_NTFY:
    case FB_MESSAGE_FORMAT_JSON:
    case FB_MESSAGE_FORMAT_CUSTOM:
    default:
      return NULL;
    }
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
