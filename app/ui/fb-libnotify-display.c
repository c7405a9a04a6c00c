/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-libnotify-display"

#include "config.h"

#include "fb-libnotify-display.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

/*
 * Where the notifier's decisions reach the desktop, through libnotify: the
 * server's capabilities, building a NotifyNotification from a message (its
 * body escaped when the server reads markup, its buttons turned into
 * `app.*` actions), notices the notifier keeps updating (a flood's
 * summary) by handle, and the live set that keeps recent notifications
 * answering. Clicking a notification opens its link, or, without one, its
 * message in the Messages view (app.show-message with its history id).
 * show() is the one place that talks to the notification server; a
 * message's group replaces the notification of the group's last message.
 * This is the only file that includes libnotify. What to show, and when,
 * is policy: FbNotifier (app/service/fb-notifier.c).
 */

#ifndef NOTIFY_CHECK_VERSION
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotifyNotification, g_object_unref)
#elif !NOTIFY_CHECK_VERSION (0, 8, 4)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotifyNotification, g_object_unref)
#endif

/* Groups remembered; beyond this many, all of them are forgotten at once
 * (a message of a forgotten group then gets a notification of its own). */
#define GROUPS_MAX 512

/* Notifications kept alive for their actions. libnotify has every one of
 * them look at every NotificationClosed the server sends, so thousands
 * alive make each close cost thousands of calls; a server shows only the
 * last few anyway. An older one's actions no longer answer. */
#define LIVE_MAX 32

struct _FbLibnotifyDisplay
{
  GObject     parent_instance;

  GSettings  *settings;
  GQueue      live;             /* NotifyNotification, oldest first, at most LIVE_MAX */
  GHashTable *notices;          /* handle → NotifyNotification, kept for updates */
  GHashTable *groups;           /* "feed id\x1fgroup" → the server's id of its last notification */
  guint       next_handle;
  GPtrArray  *caps;
  gboolean    told_no_server;
};

static void display_iface_init (FbNotificationDisplayInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FbLibnotifyDisplay, fb_libnotify_display, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FB_TYPE_NOTIFICATION_DISPLAY, display_iface_init))

static gboolean
has_cap (FbLibnotifyDisplay *self,
         const char         *cap)
{
  if (self->caps == NULL)
    return FALSE;

  for (guint i = 0; i < self->caps->len; i++)
    if (g_str_equal (g_ptr_array_index (self->caps, i), cap))
      return TRUE;

  return FALSE;
}

static void
load_caps (FbLibnotifyDisplay *self)
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
                       FbLibnotifyDisplay *self);

static void
forget_live (FbLibnotifyDisplay *self,
             GList              *link)
{
  NotifyNotification *notification = link->data;

  g_queue_delete_link (&self->live, link);
  g_signal_handlers_disconnect_by_func (notification, closed_cb, self);
  g_object_unref (notification);
}

static void
closed_cb (NotifyNotification *notification,
           FbLibnotifyDisplay *self)
{
  GList *link = g_queue_find (&self->live, notification);

  if (link != NULL)
    forget_live (self, link);
}

/* The notification that one with server id @id replaces: libnotify tells
 * every live object with that id of a click, so the old one must go, or
 * a click would open both their links. */
static void
forget_live_id (FbLibnotifyDisplay *self,
                int                 id)
{
  for (GList *link = self->live.head; link != NULL; link = link->next)
    {
      int live_id = 0;

      g_object_get (link->data, "id", &live_id, NULL);
      if (live_id == id)
        {
          forget_live (self, link);
          return;
        }
    }
}

/* A flood's summary, shown again, counts as new: it outlives single ones. */
static void
keep_live (FbLibnotifyDisplay *self,
           NotifyNotification *notification)
{
  GList *link = g_queue_find (&self->live, notification);

  if (link != NULL)
    {
      g_queue_unlink (&self->live, link);
      g_queue_push_tail_link (&self->live, link);
      return;
    }

  /* The oldest goes; a notice the notifier still updates stays alive in @notices. */
  if (self->live.length >= LIVE_MAX)
    forget_live (self, self->live.head);
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
show_message_cb (NotifyNotification *notification,
                 char               *action,
                 gpointer            user_data)
{
  gint64 *id = user_data;

  activate_app_action ("show-message", g_variant_new_int64 (*id));
}

static void
snooze_cb (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  activate_app_action ("snooze-feed", g_variant_new_string (user_data));
}

static void
show (FbLibnotifyDisplay *self,
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
  keep_live (self, notification);
}

static char *
body_text (FbLibnotifyDisplay *self,
           const char         *text)
{
  if (text == NULL)
    return NULL;

  /* The server decides what is in a message: never let it become markup. */
  if (has_cap (self, "body-markup"))
    return g_markup_escape_text (text, -1);

  return g_strdup (text);
}

/* New text for a notification already shown (a flood's summary); it shows
 * once show() is called again. */
static void
update_notification (FbLibnotifyDisplay *self,
                     NotifyNotification *notification,
                     const char         *title,
                     const char         *body)
{
  g_autofree char *escaped = body_text (self, body);

  notify_notification_update (notification, title, escaped, APP_ID);
}

static NotifyNotification *
new_notification (FbLibnotifyDisplay *self,
                  const char         *title,
                  const char         *body,
                  FbUrgency           urgency)
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

static NotifyNotification *
notification_for_message (FbLibnotifyDisplay *self,
                          FbFeed             *feed,
                          FbMessage          *message)
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

  notification = new_notification (self, fb_message_get_title (message),
                                                body->str, fb_message_get_urgency (message));

  if (!has_cap (self, "actions"))
    return notification;

  if (click != NULL)
    {
      add_url_action (notification, "default", _("Open"), click);
      add_url_action (notification, "open", _("Open"), click);
    }
  else if (fb_message_get_history_id (message) != 0)
    {
      notify_notification_add_action (notification, "default", _("Show Message"), show_message_cb,
                                      g_memdup2 (&(gint64) { fb_message_get_history_id (message) },
                                                 sizeof (gint64)),
                                      g_free);
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

/* --- FbNotificationDisplay ---------------------------------------------- */

static void
fb_libnotify_display_show_message (FbNotificationDisplay *display,
                                   FbFeed                *feed,
                                   FbMessage             *message)
{
  FbLibnotifyDisplay *self = FB_LIBNOTIFY_DISPLAY (display);
  g_autoptr(NotifyNotification) notification = NULL;
  g_autofree char *group = NULL;
  int id = 0;

  /* The first message's buttons depend on them too, not only show()'s. */
  if (self->caps == NULL)
    load_caps (self);
  notification = notification_for_message (self, feed, message);

  /* A message of a group replaces the notification of the group's last
   * one: the server is asked to replace that id (a closed one is shown
   * anew). */
  if (feed != NULL && fb_message_get_group (message) != NULL)
    {
      group = g_strconcat (fb_feed_get_id (feed), "\x1f", fb_message_get_group (message), NULL);
      id = GPOINTER_TO_INT (g_hash_table_lookup (self->groups, group));
      if (id != 0)
        {
          g_object_set (notification, "id", id, NULL);
          forget_live_id (self, id);
        }
    }

  show (self, notification);

  if (group != NULL)
    {
      g_object_get (notification, "id", &id, NULL);
      if (id != 0)
        {
          if (g_hash_table_size (self->groups) >= GROUPS_MAX)
            g_hash_table_remove_all (self->groups);
          g_hash_table_replace (self->groups, g_steal_pointer (&group), GINT_TO_POINTER (id));
        }
    }
}

static void
fb_libnotify_display_show_notice (FbNotificationDisplay *display,
                                  guint                 *handle,
                                  const char            *title,
                                  const char            *body)
{
  FbLibnotifyDisplay *self = FB_LIBNOTIFY_DISPLAY (display);
  NotifyNotification *notification = NULL;

  if (*handle != 0)
    notification = g_hash_table_lookup (self->notices, GUINT_TO_POINTER (*handle));

  if (notification != NULL)
    {
      update_notification (self, notification, title, body);
    }
  else
    {
      notification = new_notification (self, title, body, FB_URGENCY_NORMAL);
      *handle = ++self->next_handle;
      g_hash_table_insert (self->notices, GUINT_TO_POINTER (*handle), notification);
    }

  show (self, notification);
}

static void
fb_libnotify_display_release (FbNotificationDisplay *display,
                              guint                  handle)
{
  FbLibnotifyDisplay *self = FB_LIBNOTIFY_DISPLAY (display);

  g_hash_table_remove (self->notices, GUINT_TO_POINTER (handle));
}

static void
display_iface_init (FbNotificationDisplayInterface *iface)
{
  iface->show_message = fb_libnotify_display_show_message;
  iface->show_notice = fb_libnotify_display_show_notice;
  iface->release = fb_libnotify_display_release;
}

static void
fb_libnotify_display_dispose (GObject *object)
{
  FbLibnotifyDisplay *self = FB_LIBNOTIFY_DISPLAY (object);

  while (self->live.head != NULL)
    forget_live (self, self->live.head);
  g_clear_pointer (&self->notices, g_hash_table_unref);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_pointer (&self->caps, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fb_libnotify_display_parent_class)->dispose (object);
}

static void
fb_libnotify_display_class_init (FbLibnotifyDisplayClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fb_libnotify_display_dispose;
}

static void
fb_libnotify_display_init (FbLibnotifyDisplay *self)
{
  g_queue_init (&self->live);
  self->notices = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * fb_libnotify_display_new:
 * @settings: the app's settings, for `show-body`
 *
 * Returns: (transfer full): the desktop's notifications, through libnotify
 */
FbLibnotifyDisplay *
fb_libnotify_display_new (GSettings *settings)
{
  FbLibnotifyDisplay *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  if (!notify_is_initted ())
    notify_init (_("Feedbell"));

  self = g_object_new (FB_TYPE_LIBNOTIFY_DISPLAY, NULL);
  self->settings = g_object_ref (settings);

  return self;
}
