/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-format"

#include "config.h"

#include "fb-format.h"

#include <glib/gi18n-lib.h>

/*
 * The built-in formats are mappings like any feed's own (fb-mapping.h),
 * written here from each service's documentation; the fixtures in
 * tests/data/formats/ are streams in each format, with the notifications
 * they must give. Words in the templates ("mentioned you") are translated
 * when the mapping is made, so a copy into "Custom" is in the user's
 * language.
 *
 * A built-in format is made of rules (the events it ignores) and
 * variants (a condition and its templates), each written for one service.
 */

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
