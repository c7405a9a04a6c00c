/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-notifier"

#include "config.h"

#include "fb-notifier-private.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

/*
 * The notifier's libnotify side: the server's capabilities, building a
 * NotifyNotification from a message (its body escaped when the server reads
 * markup, its buttons turned into `app.*` actions), and the live set that
 * keeps recent notifications answering. _fb_notifier_show() is the one place
 * that talks to the notification server. What to show, and when, is policy:
 * fb-notifier.c.
 */

/* Notifications kept alive for their actions. libnotify has every one of
 * them look at every NotificationClosed the server sends, so thousands
 * alive make each close cost thousands of calls; a server shows only the
 * last few anyway. An older one's actions no longer answer. */
#define LIVE_MAX 32

static gboolean
has_cap (FbNotifier *self,
         const char *cap)
{
  if (self->caps == NULL)
    return FALSE;

  for (guint i = 0; i < self->caps->len; i++)
    if (g_str_equal (g_ptr_array_index (self->caps, i), cap))
      return TRUE;

  return FALSE;
}

static void
load_caps (FbNotifier *self)
{
  GList *caps = notify_get_server_caps ();

  g_clear_pointer (&self->caps, g_ptr_array_unref);
  self->caps = g_ptr_array_new_with_free_func (g_free);
  for (GList *l = caps; l != NULL; l = l->next)
    g_ptr_array_add (self->caps, l->data);
  g_list_free (caps);
}

static void
activate_app_action (const char *name,
                     GVariant   *parameter)
{
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), name, parameter);
}

static void closed_cb (NotifyNotification *notification,
                       FbNotifier         *self);

void
_fb_notifier_forget_live (FbNotifier *self,
                          GList      *link)
{
  NotifyNotification *notification = link->data;

  g_queue_delete_link (&self->live, link);
  g_signal_handlers_disconnect_by_func (notification, closed_cb, self);
  g_object_unref (notification);
}

static void
closed_cb (NotifyNotification *notification,
           FbNotifier         *self)
{
  GList *link = g_queue_find (&self->live, notification);

  if (link != NULL)
    _fb_notifier_forget_live (self, link);
}

/* A flood's summary, shown again, counts as new: it outlives single ones. */
static void
keep_live (FbNotifier         *self,
           NotifyNotification *notification)
{
  GList *link = g_queue_find (&self->live, notification);

  if (link != NULL)
    {
      g_queue_unlink (&self->live, link);
      g_queue_push_tail_link (&self->live, link);
      return;
    }

  /* The oldest goes; a Burst's summary stays alive through its own reference. */
  if (self->live.length >= LIVE_MAX)
    _fb_notifier_forget_live (self, self->live.head);
  g_queue_push_tail (&self->live, g_object_ref (notification));
  g_signal_connect_object (notification, "closed", G_CALLBACK (closed_cb), self, 0);
}

static void
open_url_cb (NotifyNotification *notification,
             char               *action,
             gpointer            user_data)
{
  activate_app_action ("open-url", g_variant_new_string (user_data));
}

static void
snooze_cb (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  activate_app_action ("snooze-feed", g_variant_new_string (user_data));
}

void
_fb_notifier_show (FbNotifier         *self,
                   NotifyNotification *notification)
{
  g_autoptr(GError) error = NULL;

  if (self->caps == NULL || self->told_no_server)
    load_caps (self);

  if (!notify_notification_show (notification, &error))
    {
      if (!self->told_no_server)
        g_message ("No notification server answered (%s); messages stay in the tray's Recent menu",
                   error->message);
      self->told_no_server = TRUE;
      return;
    }

  self->told_no_server = FALSE;
  self->n_shown++;
  keep_live (self, notification);
}

static char *
body_text (FbNotifier *self,
           const char *text)
{
  if (text == NULL)
    return NULL;

  /* The server decides what is in a message: never let it become markup. */
  if (has_cap (self, "body-markup"))
    return g_markup_escape_text (text, -1);

  return g_strdup (text);
}

void
_fb_notifier_init_libnotify (void)
{
  if (!notify_is_initted ())
    notify_init (_("Feedbell"));
}

/* New text for a notification already shown (a flood's summary); it shows
 * once _fb_notifier_show() is called again. */
void
_fb_notifier_update_notification (FbNotifier         *self,
                                  NotifyNotification *notification,
                                  const char         *title,
                                  const char         *body)
{
  g_autofree char *escaped = body_text (self, body);

  notify_notification_update (notification, title, escaped, APP_ID);
}

NotifyNotification *
_fb_notifier_new_notification (FbNotifier *self,
                               const char *title,
                               const char *body,
                               FbUrgency   urgency)
{
  g_autofree char *escaped = body_text (self, body);
  NotifyNotification *notification;

  notification = notify_notification_new (title, escaped, APP_ID);
  notify_notification_set_app_name (notification, _("Feedbell"));
  notify_notification_set_hint_string (notification, "desktop-entry", APP_ID);
  notify_notification_set_category (notification, "im.received");
  switch (urgency)
    {
    case FB_URGENCY_LOW:
      notify_notification_set_urgency (notification, NOTIFY_URGENCY_LOW);
      break;
    case FB_URGENCY_NORMAL:
      notify_notification_set_urgency (notification, NOTIFY_URGENCY_NORMAL);
      break;
    case FB_URGENCY_CRITICAL:
      notify_notification_set_urgency (notification, NOTIFY_URGENCY_CRITICAL);
      break;
    default:
      g_assert_not_reached ();
    }

  return notification;
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

NotifyNotification *
_fb_notifier_notification_for_message (FbNotifier *self,
                                       FbFeed     *feed,
                                       FbMessage  *message)
{
  g_autoptr(GString) body = g_string_new (fb_message_get_body (message));
  NotifyNotification *notification;
  const char *click = fb_message_get_click_url (message);
  const char *attachment = fb_message_get_attachment_url (message);

  if (!g_settings_get_boolean (self->settings, "show-body"))
    g_string_truncate (body, 0);
  if (attachment != NULL)
    g_string_append_printf (body, "%s📎 %s", body->len ? "\n" : "",
                            fb_message_get_attachment_name (message)
                              ? fb_message_get_attachment_name (message) : attachment);

  notification = _fb_notifier_new_notification (self, fb_message_get_title (message),
                                                body->str, fb_message_get_urgency (message));

  if (!has_cap (self, "actions"))
    return notification;

  if (click != NULL)
    {
      add_url_action (notification, "default", _("Open"), click);
      add_url_action (notification, "open", _("Open"), click);
    }
  for (guint i = 0; i < fb_message_get_n_actions (message); i++)
    {
      g_autofree char *id = g_strdup_printf ("view-%u", i);
      const char *label, *url;

      if (fb_message_get_action (message, i, &label, &url))
        add_url_action (notification, id, label, url);
    }
  if (feed != NULL)
    notify_notification_add_action (notification, "snooze", _("Snooze feed for 1 hour"),
                                    snooze_cb, g_strdup (fb_feed_get_id (feed)), g_free);

  return notification;
}
