/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-libnotify-display"

#include "config.h"

#include "fb-libnotify-display-private.h"

#include <glib/gi18n.h>

/*
 * Where the notifier's decisions reach the desktop, through libnotify: the
 * server's capabilities, notices the notifier keeps updating (a flood's
 * summary) by handle, the live set that keeps recent notifications
 * answering, groups and their withdrawal. show() is the one place that
 * talks to the notification server; a message's group replaces the
 * notification of the group's last message, and the server's deleting or
 * clearing a group closes it. A message's notification is built in
 * fb-libnotify-display-message.c (its body, its priority's hints, its
 * buttons); its images come later and update it in place
 * (fb-libnotify-display-image.c). Only these files include libnotify. What
 * to show, and when, is policy: FbNotifier (app/service/fb-notifier.c).
 */

/* Groups remembered; beyond this many, all of them are forgotten at once
 * (a message of a forgotten group then gets a notification of its own). */
#define GROUPS_MAX 512

/* Notifications kept alive for their actions. libnotify has every one of
 * them look at every NotificationClosed the server sends, so thousands
 * alive make each close cost thousands of calls; a server shows only the
 * last few anyway. An older one's actions no longer answer. */
#define LIVE_MAX 32

static void display_iface_init (FbNotificationDisplayInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FbLibnotifyDisplay, fb_libnotify_display, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FB_TYPE_NOTIFICATION_DISPLAY, display_iface_init))

gboolean
_fb_libnotify_display_has_cap (FbLibnotifyDisplay *self,
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

void
_fb_libnotify_display_activate (const char *name,
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

gboolean
_fb_libnotify_display_is_live (FbLibnotifyDisplay *self,
                               NotifyNotification *notification)
{
  return g_queue_find (&self->live, notification) != NULL;
}

void
_fb_libnotify_display_show (FbLibnotifyDisplay *self,
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
  if (_fb_libnotify_display_has_cap (self, "body-markup"))
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

/* @body is as the server reads it: escaped, or markup, already. */
NotifyNotification *
_fb_libnotify_display_new_notification (FbLibnotifyDisplay *self,
                                        const char         *title,
                                        const char         *body,
                                        FbUrgency           urgency)
{
  NotifyNotification *notification;

  notification = notify_notification_new (title, body, APP_ID);
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
  notification = _fb_libnotify_display_for_message (self, feed, message);

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

  _fb_libnotify_display_show (self, notification);
  if (!_fb_libnotify_display_is_live (self, notification))
    return;

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

  /* Shown at once; its pictures, if any, update it when they come. */
  if (feed != NULL)
    _fb_libnotify_display_fetch_images (self, feed, message, notification);
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
      g_autofree char *escaped = body_text (self, body);

      notification = _fb_libnotify_display_new_notification (self, title, escaped, FB_URGENCY_NORMAL);
      *handle = ++self->next_handle;
      g_hash_table_insert (self->notices, GUINT_TO_POINTER (*handle), notification);
    }

  _fb_libnotify_display_show (self, notification);
}

static void
fb_libnotify_display_release (FbNotificationDisplay *display,
                              guint                  handle)
{
  FbLibnotifyDisplay *self = FB_LIBNOTIFY_DISPLAY (display);

  g_hash_table_remove (self->notices, GUINT_TO_POINTER (handle));
}

/* Closes the notification the server knows as @id: the live object, which
 * then goes, or one made for the purpose (the call needs only the id). */
static void
close_id (FbLibnotifyDisplay *self,
          int                 id)
{
  g_autoptr(NotifyNotification) notification = NULL;
  g_autoptr(GError) error = NULL;

  for (GList *link = self->live.head; link != NULL; link = link->next)
    {
      int live_id = 0;

      g_object_get (link->data, "id", &live_id, NULL);
      if (live_id == id)
        {
          notification = g_object_ref (link->data);
          forget_live (self, link);
          break;
        }
    }
  if (notification == NULL)
    {
      notification = notify_notification_new ("", NULL, NULL);
      g_object_set (notification, "id", id, NULL);
    }

  if (!notify_notification_close (notification, &error))
    g_debug ("Notification %d not closed: %s", id, error->message);
}

static void
fb_libnotify_display_withdraw (FbNotificationDisplay *display,
                               FbFeed                *feed,
                               const char            *group)
{
  FbLibnotifyDisplay *self = FB_LIBNOTIFY_DISPLAY (display);
  g_autofree char *key = g_strconcat (fb_feed_get_id (feed), "\x1f", group, NULL);
  int id = GPOINTER_TO_INT (g_hash_table_lookup (self->groups, key));

  if (id == 0)
    return;

  g_hash_table_remove (self->groups, key);
  close_id (self, id);
}

static void
display_iface_init (FbNotificationDisplayInterface *iface)
{
  iface->show_message = fb_libnotify_display_show_message;
  iface->show_notice = fb_libnotify_display_show_notice;
  iface->release = fb_libnotify_display_release;
  iface->withdraw = fb_libnotify_display_withdraw;
}

/**
 * fb_libnotify_display_close_message:
 * @history_id: a message's id in the history
 *
 * Closes the notification of that message, if one is still live: an http
 * action with `clear` succeeded.
 */
void
fb_libnotify_display_close_message (FbLibnotifyDisplay *self,
                                    gint64              history_id)
{
  g_return_if_fail (FB_IS_LIBNOTIFY_DISPLAY (self));

  for (GList *link = self->live.head; link != NULL; link = link->next)
    if (history_id != 0 && _fb_libnotify_display_get_history_id (link->data) == history_id)
      {
        int id = 0;

        g_object_get (link->data, "id", &id, NULL);
        close_id (self, id);
        return;
      }
}

static void
fb_libnotify_display_dispose (GObject *object)
{
  FbLibnotifyDisplay *self = FB_LIBNOTIFY_DISPLAY (object);

  _fb_libnotify_display_dispose_images (self);
  while (self->live.head != NULL)
    forget_live (self, self->live.head);
  g_clear_pointer (&self->notices, g_hash_table_unref);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_pointer (&self->caps, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->manager);

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
 * @settings: the app's settings, for `show-body`, `play-sounds` and the
 *   images' `image-max-download` and `image-cache-size`
 * @manager: the feeds, whose sessions and credentials fetch their images
 *
 * Returns: (transfer full): the desktop's notifications, through libnotify
 */
FbLibnotifyDisplay *
fb_libnotify_display_new (GSettings     *settings,
                          FbFeedManager *manager)
{
  FbLibnotifyDisplay *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (FB_IS_FEED_MANAGER (manager), NULL);

  if (!notify_is_initted ())
    notify_init (_("Feedbell"));

  self = g_object_new (FB_TYPE_LIBNOTIFY_DISPLAY, NULL);
  self->settings = g_object_ref (settings);
  self->manager = g_object_ref (manager);
  _fb_libnotify_display_init_images (self);

  return self;
}
