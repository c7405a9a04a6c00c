/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-libnotify-display"

#include "config.h"

#include "fb-libnotify-display-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-markdown.h"

/*
 * A message's notification: its body (Markdown as markup when the server
 * reads markup, as text otherwise; anything else escaped), what its
 * priority asks of the server (urgency, staying on screen, a sound or
 * none), and its buttons, each an `app.*` action: Open (its link), its view
 * buttons (app.open-url), its http buttons (app.run-http-action, which
 * reads the request back from the history, so the button carries only
 * where to find it), Open attachment for a file that is not a picture, and
 * Snooze (app.snooze-feed). Without a link, a click opens the message in
 * the Messages view (app.show-message).
 */

/* The freedesktop sound theme's names (the Sound Naming Specification): a
 * new message, and a warning for what cannot wait. */
#define SOUND_HIGH   "message-new-instant"
#define SOUND_URGENT "dialog-warning"

/* The pictures an attachment may be to be shown as one: the types the
 * image cache accepts, and their extensions for an attachment without a
 * type (one given by its address). */
static const char * const image_types[] = {
  "image/png", "image/jpeg", "image/gif", "image/webp", NULL,
};
static const char * const image_extensions[] = {
  "png", "jpg", "jpeg", "gif", "webp", NULL,
};

#define HISTORY_ID_KEY "feedbell-history-id"

/**
 * _fb_libnotify_display_has_image:
 *
 * Returns: whether @message's attachment is a picture to show in its
 *   notification: of an image type, or without a type, an address whose
 *   name ends in an image's extension
 */
gboolean
_fb_libnotify_display_has_image (FbMessage *message)
{
  const char *url = fb_message_get_attachment_url (message);
  const char *type = fb_message_get_attachment_type (message);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *extension = NULL;
  const char *path;
  const char *dot;

  if (url == NULL)
    return FALSE;

  if (type != NULL)
    {
      g_autofree char *bare = g_ascii_strdown (type, (gssize) strcspn (type, "; "));

      return g_strv_contains (image_types, bare);
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  path = uri != NULL ? g_uri_get_path (uri) : NULL;
  dot = path != NULL ? strrchr (path, '.') : NULL;
  if (dot == NULL || strchr (dot, '/') != NULL)
    return FALSE;

  extension = g_ascii_strdown (dot + 1, -1);
  return g_strv_contains (image_extensions, extension);
}

gint64
_fb_libnotify_display_get_history_id (NotifyNotification *notification)
{
  gint64 *id = g_object_get_data (G_OBJECT (notification), HISTORY_ID_KEY);

  return id != NULL ? *id : 0;
}

/* What the server is given as the body: markup it reads, or plain text. */
static char *
message_body (FbLibnotifyDisplay *self,
              FbMessage          *message)
{
  gboolean markup = _fb_libnotify_display_has_cap (self, "body-markup");
  const char *body = fb_message_get_body (message);
  const char *attachment = fb_message_get_attachment_url (message);
  GString *text = g_string_new (NULL);

  if (body != NULL && g_settings_get_boolean (self->settings, "show-body"))
    {
      g_autofree char *shown = NULL;

      if (fb_message_is_markdown (message))
        shown = markup ? fb_markdown_to_markup (body, -1, FB_MARKDOWN_MAX_CHARS)
                       : fb_markdown_to_text (body, -1, FB_MARKDOWN_MAX_CHARS);
      else
        /* The server decides what is in a message: never let it become markup. */
        shown = markup ? g_markup_escape_text (body, -1) : g_strdup (body);
      g_string_append (text, shown);
    }

  if (attachment != NULL)
    {
      const char *name = fb_message_get_attachment_name (message);
      g_autofree char *line = g_strdup_printf ("📎 %s", name != NULL ? name : attachment);
      g_autofree char *shown = markup ? g_markup_escape_text (line, -1) : g_strdup (line);

      g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", shown);
    }

  return g_string_free (text, FALSE);
}

/* ntfy's priorities, as the server can show them: the urgency (made by
 * FbMessage from the priority, for every format), a message of the highest
 * priority on screen until dismissed, a sound for the two highest when the
 * user wants sounds, and silence for the two lowest. */
static void
set_priority_hints (FbLibnotifyDisplay *self,
                    NotifyNotification *notification,
                    FbMessage          *message)
{
  int priority = fb_message_get_priority (message);

  if (priority >= 5)
    notify_notification_set_timeout (notification, NOTIFY_EXPIRES_NEVER);

  if (priority <= 2)
    notify_notification_set_hint (notification, "suppress-sound", g_variant_new_boolean (TRUE));
  else if (priority >= 4 && g_settings_get_boolean (self->settings, "play-sounds"))
    notify_notification_set_hint_string (notification, "sound-name",
                                         priority >= 5 ? SOUND_URGENT : SOUND_HIGH);
}

static void
open_url_cb (NotifyNotification *notification,
             char               *action,
             gpointer            user_data)
{
  _fb_libnotify_display_activate ("open-url", g_variant_new_string (user_data));
}

static void
show_message_cb (NotifyNotification *notification,
                 char               *action,
                 gpointer            user_data)
{
  _fb_libnotify_display_activate ("show-message", g_variant_new_int64 (*(gint64 *) user_data));
}

static void
run_http_action_cb (NotifyNotification *notification,
                    char               *action,
                    gpointer            user_data)
{
  _fb_libnotify_display_activate ("run-http-action", user_data);
}

static void
snooze_cb (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  _fb_libnotify_display_activate ("snooze-feed", g_variant_new_string (user_data));
}

static void
add_url_action (NotifyNotification *notification,
                const char         *action,
                const char         *label,
                const char         *url)
{
  notify_notification_add_action (notification, action, label,
                                  open_url_cb, g_strdup (url), g_free);
}

/* A view button opens its address; an http button asks the app to send
 * its request, found again by the message's history id and its index. */
static void
add_message_actions (NotifyNotification *notification,
                     FbFeed             *feed,
                     FbMessage          *message)
{
  gint64 history_id = fb_message_get_history_id (message);

  for (guint i = 0; i < fb_message_get_n_actions (message); i++)
    {
      g_autofree char *id = NULL;
      const char *label, *url;
      GVariant *target;

      if (!fb_message_get_action (message, i, &label, &url))
        continue;

      if (fb_message_get_action_http (message, i) == NULL)
        {
          id = g_strdup_printf ("view-%u", i);
          add_url_action (notification, id, label, url);
          continue;
        }
      if (history_id == 0)
        continue;

      id = g_strdup_printf ("http-%u", i);
      target = g_variant_ref_sink (g_variant_new ("(sxu)", feed != NULL ? fb_feed_get_id (feed) : "",
                                                  history_id, i));
      notify_notification_add_action (notification, id, label, run_http_action_cb,
                                      target, (GDestroyNotify) g_variant_unref);
    }
}

static void
add_buttons (NotifyNotification *notification,
             FbFeed             *feed,
             FbMessage          *message)
{
  const char *click = fb_message_get_click_url (message);
  const char *attachment = fb_message_get_attachment_url (message);
  gint64 history_id = fb_message_get_history_id (message);

  if (click != NULL)
    {
      add_url_action (notification, "default", _("Open"), click);
      add_url_action (notification, "open", _("Open"), click);
    }
  else if (history_id != 0)
    {
      notify_notification_add_action (notification, "default", _("Show Message"), show_message_cb,
                                      g_memdup2 (&history_id, sizeof history_id), g_free);
    }

  add_message_actions (notification, feed, message);

  /* A picture is shown in the notification itself. */
  if (attachment != NULL && !_fb_libnotify_display_has_image (message))
    add_url_action (notification, "attachment", _("Open attachment"), attachment);

  if (feed != NULL)
    notify_notification_add_action (notification, "snooze", _("Snooze feed for 1 hour"),
                                    snooze_cb, g_strdup (fb_feed_get_id (feed)), g_free);
}

/**
 * _fb_libnotify_display_for_message:
 * @feed: (nullable): the feed, %NULL for a message shown again from Recent
 *
 * Returns: (transfer full): @message's notification, not shown yet
 */
NotifyNotification *
_fb_libnotify_display_for_message (FbLibnotifyDisplay *self,
                                   FbFeed             *feed,
                                   FbMessage          *message)
{
  g_autofree char *body = message_body (self, message);
  gint64 history_id = fb_message_get_history_id (message);
  NotifyNotification *notification;

  notification = _fb_libnotify_display_new_notification (self, fb_message_get_title (message), body,
                                                         fb_message_get_urgency (message));
  set_priority_hints (self, notification, message);
  /* For fb_libnotify_display_close_message(): an action with `clear`. */
  g_object_set_data_full (G_OBJECT (notification), HISTORY_ID_KEY,
                          g_memdup2 (&history_id, sizeof history_id), g_free);

  if (_fb_libnotify_display_has_cap (self, "actions"))
    add_buttons (notification, feed, message);

  return notification;
}
